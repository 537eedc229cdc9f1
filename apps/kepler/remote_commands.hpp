#pragma once
// `kepler --connect HOST:PORT [--tls-cert F --tls-key F --tls-ca F] CMD ARGS`: get, put, del,
// scan and shell on a store served by kepler-server, through kepler::remote_db. The flags come
// before the command, in place of the store directory; the commands print and exit as their local
// forms.

namespace kepler::cli {

/// True when the command line asks for a remote store (its first argument is --connect or a
/// --tls- flag).
bool wants_remote(int argc, char** argv);

/// Parses and runs a remote command; returns the exit code.
int run_remote_command(int argc, char** argv);

}  // namespace kepler::cli
