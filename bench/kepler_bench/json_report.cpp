#include "json_report.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

namespace kepler::bench {

namespace {

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

std::string space_object(const space_figures& s) {
  std::ostringstream o;
  o << "{\"bytes_on_disk\": " << s.bytes_on_disk << ", \"bytes_written\": " << s.bytes_written
    << ", \"write_amplification\": " << number(s.write_amplification);
  if (s.storage_bytes_written)
    o << ", \"storage_bytes_written\": " << *s.storage_bytes_written
      << ", \"storage_write_amplification\": " << number(s.storage_write_amplification);
  o << ", \"peak_rss_bytes\": " << s.peak_rss_bytes << "}";
  return o.str();
}

std::string live_object(const live_figures& l) {
  std::ostringstream o;
  o << "{\"entries\": " << l.entries << ", \"bytes\": " << l.bytes
    << ", \"bytes_on_disk\": " << l.bytes_on_disk
    << ", \"disk_per_live\": " << number(l.disk_per_live) << "}";
  return o.str();
}

std::string result_object(const result& r) {
  std::ostringstream o;
  o << "{\"engine\": " << quoted(r.engine) << ", \"benchmark\": " << quoted(r.benchmark)
    << ", \"supported\": " << (r.supported ? "true" : "false") << ", \"error\": " << quoted(r.error)
    << ", \"ops\": " << r.ops << ", \"micros_per_op\": " << number(r.micros_per_op())
    << ", \"ops_per_sec\": " << number(r.ops_per_sec()) << ", \"counts\": {";
  const char* sep = "";
  for (auto& [name, n] : r.counts) {
    o << sep << quoted(name) << ": " << n;
    sep = ", ";
  }
  o << "}";
  if (r.latency)
    o << ", \"latency_us\": {\"p50\": " << number(r.latency->percentile(50))
      << ", \"p99\": " << number(r.latency->percentile(99))
      << ", \"p99_9\": " << number(r.latency->percentile(99.9))
      << ", \"max\": " << number(r.latency->max()) << "}";
  if (r.space) o << ", \"space\": " << space_object(*r.space);
  if (r.live) o << ", \"live\": " << live_object(*r.live);
  o << ", \"stats\": " << quoted(r.engine_stats);
  if (r.idle_cores) o << ", \"idle_cores\": " << number(*r.idle_cores);
  o << "}";
  return o.str();
}

}  // namespace

bool write_json(const std::string& path, const flags& f, const std::string& date,
                const std::string& command, const std::vector<std::string>& engines,
                const std::vector<result>& results, const std::vector<engine_totals>& totals,
                std::string* error) {
  std::ostringstream o;
  o << "{\n  \"date\": " << quoted(date) << ",\n  \"command\": " << quoted(command)
    << ",\n  \"settings\": {\"num\": " << f.num << ", \"reads\": " << f.read_ops()
    << ", \"sync_num\": " << f.sync_num << ", \"threads\": " << f.threads
    << ", \"key_size\": " << f.key_size << ", \"value_size\": " << f.value_size
    << ", \"batch_size\": " << f.batch_size << ", \"seek_nexts\": " << f.seek_nexts
    << ", \"sync\": " << (f.sync ? "true" : "false") << ", \"ycsb_records\": " << f.ycsb_records
    << ", \"ycsb_ops\": " << f.ycsb_ops << ", \"memtable_bytes\": " << f.memtable_bytes
    << ", \"compression\": \"" << f.compression
    << "\", \"compression_ratio\": " << f.compression_ratio << "},\n  \"engines\": [";
  for (std::size_t i = 0; i < engines.size(); ++i) o << (i ? ", " : "") << quoted(engines[i]);
  o << "],\n  \"results\": [";
  for (std::size_t i = 0; i < results.size(); ++i)
    o << (i ? ",\n    " : "\n    ") << result_object(results[i]);
  o << "\n  ],\n  \"totals\": [";
  for (std::size_t i = 0; i < totals.size(); ++i)
    o << (i ? ",\n    " : "\n    ") << "{\"engine\": " << quoted(totals[i].engine)
      << ", \"user_bytes_written\": " << totals[i].user_bytes_written
      << ", \"space\": " << space_object(totals[i].space) << "}";
  o << "\n  ]\n}\n";
  std::ofstream out(path, std::ios::trunc);
  out << o.str();
  out.close();
  if (!out) {
    *error = "cannot write " + path;
    return false;
  }
  return true;
}

}  // namespace kepler::bench
