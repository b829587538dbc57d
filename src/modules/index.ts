import type { Module } from "../module.js";
import { routingModule, sessionModule } from "./core.js";
import { messageModule } from "./message/index.js";
import { offlineModule } from "./offline/index.js";
import { discoModule } from "./disco/index.js";
import { pingModule } from "./ping.js";
import { versionModule } from "./version.js";
import { timeModule } from "./time.js";
import { lastModule } from "./last/index.js";
import { vcardModule } from "./vcard/index.js";
import { privateModule } from "./private/index.js";
import { blockingModule } from "./blocking/index.js";
import { registerModule } from "./register/index.js";
import { carbonsModule } from "./carbons/index.js";
import { rosterModule } from "./roster/index.js";
import { presenceModule } from "./presence/index.js";

export { routingModule, sessionModule };
export { messageModule, offlineModule, discoModule, pingModule, versionModule, timeModule, lastModule };
export { vcardModule, privateModule, blockingModule, registerModule, carbonsModule };
export { rosterModule, presenceModule };

/** The modules the reference server loads (minus `modules.disabled`). */
export function defaultModules(): Module[] {
  return [sessionModule, routingModule, messageModule, offlineModule, discoModule, pingModule, versionModule, timeModule, lastModule, vcardModule, privateModule, registerModule, carbonsModule, rosterModule, presenceModule, blockingModule];
}
