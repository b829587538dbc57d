export { configSchema, SASL_MECHANISMS, type Config, type ConfigInput } from "./schema.js";
export { ConfigError, parseConfig, loadConfig, defaultConfig } from "./load.js";
export { configDocs } from "./docs.js";
