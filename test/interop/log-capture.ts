import type { Logger } from "../../src/log.js";

export interface LogLine {
  level: string;
  msg: string;
  fields: Record<string, unknown>;
}

/** A logger that keeps every line, so tests can check what the server itself decided. */
export function captureLog(): Logger & { lines: LogLine[]; find(msg: string, fields?: Record<string, unknown>): LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: string) => (msg: string, fields: Record<string, unknown> = {}) => void lines.push({ level, msg, fields });
  return {
    lines,
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    find: (msg, fields = {}) =>
      lines.filter((l) => l.msg === msg && Object.entries(fields).every(([k, v]) => l.fields[k] === v)),
  };
}
