import { parseArgs } from "node:util";

const USAGE = `usage: tjabberd <command> [options]

commands:
  serve [--config FILE]     run the server (embedded defaults: localhost, ./data, SQLite)
  help                      this text`;

async function main(argv: string[]): Promise<number> {
  const [command = "help", ...rest] = argv;
  switch (command) {
    case "serve": {
      const { values } = parseArgs({ args: rest, options: { config: { type: "string" } } });
      console.log(`tjabberd framework ready (config: ${values.config ?? "embedded defaults"}); the c2s server lands with issue #3`);
      return 0;
    }
    case "help":
    case "--help":
    case "-h":
      console.log(USAGE);
      return 0;
    default:
      console.error(`tjabberd: unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
