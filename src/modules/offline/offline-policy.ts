import type { Element } from "ltx";

const NS_CHATSTATES = "http://jabber.org/protocol/chatstates";

/**
 * XEP-0160 §3: "normal" and "chat" messages SHOULD be stored offline, "with the exception of
 * messages that contain only Chat State Notifications (XEP-0085) content" (a thread id aside).
 * Routing only hands over normal/chat messages (RFC 6121 §8.5.2.2.1).
 */
export function shouldStoreOffline(message: Element): boolean {
  let chatState = false;
  for (const child of message.children) {
    if (typeof child === "string") continue;
    if (child.getNS() === NS_CHATSTATES) chatState = true;
    else if (child.name !== "thread") return true;
  }
  return !chatState;
}
