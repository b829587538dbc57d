"""One slixmpp session against a test server; run by slixmpp.test.ts with Debian's /usr/bin/python3.

usage: slixmpp_login.py HOST PORT JID PASSWORD TO BODY

Connects (STARTTLS, the self-signed certificate accepted), authenticates with the mechanism
slixmpp itself prefers, binds, prints one JSON object per line ({"bound": JID, "mechanism": …}),
sends TO a chat message with BODY, and disconnects. Exit code 0 on success, 1 otherwise.
"""
import json
import ssl
import sys

import slixmpp


def emit(obj):
    print(json.dumps(obj), flush=True)


class Session(slixmpp.ClientXMPP):
    def __init__(self, jid, password, to, body):
        super().__init__(jid, password)
        self.to, self.body, self.ok = to, body, False
        # The test server's certificate is self-signed.
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        self.add_event_handler("session_start", self.started)
        self.add_event_handler("failed_auth", self.failed)

    async def started(self, _event):
        emit({"bound": self.boundjid.full, "mechanism": self["feature_mechanisms"].mech.name})
        self.send_message(mto=self.to, mbody=self.body, mtype="chat")
        self.ok = True
        self.disconnect()

    def failed(self, _event):
        # slixmpp would go on to its next mechanism; one refusal is what the test looks for.
        emit({"error": "authentication failed"})
        self.disconnect()


def main():
    host, port, jid, password, to, body = sys.argv[1:7]
    session = Session(jid, password, to, body)
    session.connect(address=(host, int(port)), force_starttls=True)
    session.loop.call_later(10, session.disconnect)  # never hang the test run
    session.process(forever=False)
    sys.exit(0 if session.ok else 1)


if __name__ == "__main__":
    main()
