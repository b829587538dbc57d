export { StreamParser, type StreamParserHandlers, type StreamParserOptions, type StreamHeader } from "./stream-parser.js";
export { serialize, streamHeader, escapeText, escapeAttr, STREAM_CLOSE, type StreamHeaderAttrs } from "./serialize.js";
