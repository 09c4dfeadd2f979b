# SPDX-License-Identifier: ISC
"""A real asyncssh server for adit's password and keyboard-interactive
tests, where sshd cannot show the case (two prompts with their echo flags,
a name and an instruction, a password change request).

usage: kbdint_server.py PORT HOST_KEY LOG MODE
MODE: kbdint (two prompts: "Password: " no echo, "Token: " echo; the
answers must be pw-secret-1 and 424242), change (password, then a change
request; the new password is recorded), zero (one round with no prompts,
then the two-prompt round). Every answer is written to LOG, one per line;
"ready" is printed on stdout once listening. Direct-tcpip is allowed."""
import asyncio
import sys

import asyncssh

PASSWORD = "pw-secret-1"
TOKEN = "424242"


class Server(asyncssh.SSHServer):
    def __init__(self, mode, log):
        self.mode = mode
        self.log = log
        self.rounds = 0

    def note(self, *answers):
        with open(self.log, "a") as f:
            for a in answers:
                f.write(a + "\n")

    def begin_auth(self, username):
        return True

    def connection_requested(self, dest_host, dest_port, orig_host,
                             orig_port):
        return True  # direct-tcpip to anywhere: the tests' echo servers

    def password_auth_supported(self):
        return self.mode == "change"

    def validate_password(self, username, password):
        self.note("password:" + password)
        if password != PASSWORD:
            return False
        raise asyncssh.PasswordChangeRequired("Your password has expired.")

    def change_password(self, username, old_password, new_password):
        self.note("old:" + old_password, "new:" + new_password)
        return old_password == PASSWORD

    def kbdint_auth_supported(self):
        return self.mode in ("kbdint", "zero")

    def get_kbdint_challenge(self, username, lang, submethods):
        self.rounds = 0
        if self.mode == "zero":
            return ("Round one", "Nothing to ask yet.", "", [])
        return self.two_prompts()

    def two_prompts(self):
        return ("adit test login", "Answer both questions.", "",
                [("Password: ", False), ("Token: ", True)])

    def validate_kbdint_response(self, username, responses):
        self.rounds += 1
        self.note("round %d: %s" % (self.rounds, "|".join(responses)))
        if self.mode == "zero" and self.rounds == 1:
            return self.two_prompts()
        return list(responses) == [PASSWORD, TOKEN]


async def main(port, key, log, mode):
    await asyncssh.create_server(lambda: Server(mode, log), "127.0.0.1",
                                 port, server_host_keys=[key])
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3],
                     sys.argv[4]))
