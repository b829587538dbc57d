import type { Module } from "../module.js";
import { routingModule, sessionModule } from "./core.js";

export { routingModule, sessionModule };

/** The modules the reference server loads (minus `modules.disabled`). */
export function defaultModules(): Module[] {
  return [sessionModule, routingModule];
}
