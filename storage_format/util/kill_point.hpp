#pragma once
// Whitebox crash points (RocksDB's whitebox crash test): at a named point in the file protocol
// the process SIGKILLs itself when the environment variable KEPLER_KILL_POINT names that point.
// KEPLER_KILL_POINT_SKIP=N lets the first N hits pass, so a test can kill at the Nth flush.
// Compiled in when KEPLER_KILL_POINTS is defined (the CMake option of that name, on by default
// so the tests have them); otherwise every call is empty.

namespace kepler::storage::kill_points {

// The points, in the order the protocol reaches them (doc/design.md, "Files and recovery").
inline constexpr const char* after_table_write = "after_table_write";  // written, not synced
inline constexpr const char* after_table_sync = "after_table_sync";    // synced, not named
inline constexpr const char* after_manifest_append = "after_manifest_append";  // not synced
inline constexpr const char* after_manifest_sync = "after_manifest_sync";      // not yet installed
inline constexpr const char* during_current_switch = "during_current_switch";  // CURRENT.tmp
inline constexpr const char* after_log_switch = "after_log_switch";  // new log, flush not begun
inline constexpr const char* during_obsolete_deletion = "during_obsolete_deletion";
// A compaction's output table (each one it writes): every entry written, not synced; then
// synced and closed, before its directory sync, not yet named by the MANIFEST.
inline constexpr const char* after_compaction_write = "after_compaction_write";
inline constexpr const char* after_compaction_sync = "after_compaction_sync";

/// Every point above, for tests that go through them all.
inline constexpr const char* all[] = {
    after_table_write,        after_table_sync,       after_manifest_append,
    after_manifest_sync,      during_current_switch,  after_log_switch,
    during_obsolete_deletion, after_compaction_write, after_compaction_sync};

/// SIGKILLs the process when `name` is the point KEPLER_KILL_POINT names and the skip count is
/// used up.
void reach(const char* name);

}  // namespace kepler::storage::kill_points
