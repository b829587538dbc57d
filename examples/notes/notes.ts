// An example module: a per-user notepad on a custom namespace, small enough to read at once.
// It shows the pieces a module uses: two phases, chained handlers, a thrown StanzaError, work
// offloaded to a job module (SQLite in a worker thread), a disco feature and a stream feature.
// In your own project, import from "tjabberd" instead of "../../src/index.js".
import { Element } from "ltx";
import { defineModule, reply, siblingModule, StanzaError, type HandlerContext, type Session } from "../../src/index.js";

export const NS_NOTES = "urn:example:notes";
export const MAX_NOTE_CHARS = 1000;

type Ctx = HandlerContext<Session>;

/** First handler of notes.add: validates; a thrown StanzaError becomes the error reply. */
function checkNote(ctx: Ctx): string {
  const text = ctx.stanza.getChild("note", NS_NOTES)!.getText().trim();
  if (!text) throw new StanzaError("bad-request", "empty note");
  if (text.length > MAX_NOTE_CHARS) throw new StanzaError("not-acceptable", `notes are at most ${MAX_NOTE_CHARS} characters`);
  return text; // becomes ctx.lastRetVal for the next handler
}

/** SQLite blocks, so it runs in a worker thread; the job's result is the next lastRetVal. */
function storeNote(ctx: Ctx) {
  return ctx.offload("notes.add", { username: ctx.session.jid.local, text: ctx.lastRetVal as string });
}

/** The write is committed (the job returned): now the client gets its result. */
function confirmNote(ctx: Ctx): void {
  ctx.chainOutput(reply(ctx.stanza, new Element("note", { xmlns: NS_NOTES, id: String(ctx.lastRetVal) })));
}

function loadNotes(ctx: Ctx) {
  return ctx.offload("notes.list", { username: ctx.session.jid.local });
}

function answerNotes(ctx: Ctx): void {
  const notes = new Element("notes", { xmlns: NS_NOTES });
  for (const note of ctx.lastRetVal as { id: number; text: string }[]) notes.c("note", { id: String(note.id) }).t(note.text);
  ctx.chainOutput(reply(ctx.stanza, notes));
}

export const notesModule = defineModule({
  name: "example-notes",
  setup(api) {
    api.jobs(siblingModule(import.meta.url, "notes-jobs"));
    api.discoFeature(NS_NOTES);
    // Offered in the post-authentication <stream:features/>, so a client knows before asking disco.
    api.streamFeature(() => new Element("notes", { xmlns: NS_NOTES }));
    api.phase({ name: "notes.add", match: `{jabber:client}iq[@type='set']/{${NS_NOTES}}note`, handlers: [checkNote, storeNote, confirmNote] });
    api.phase({ name: "notes.list", match: `{jabber:client}iq[@type='get']/{${NS_NOTES}}notes`, handlers: [loadNotes, answerNotes] });
  },
});
