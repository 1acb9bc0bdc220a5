// The floor for the analyser benchmark (issue 15): libpcap reading a capture
// and touching nothing but each record's length. bench/run-analysis-bench
// times this process beside `failover-hil analyze` on the same file.
#include <pcap/pcap.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CAPTURE\n", argv[0]);
    return 2;
  }
  char errbuf[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (p == nullptr) {
    std::fprintf(stderr, "%s\n", errbuf);
    return 2;
  }
  pcap_pkthdr* h = nullptr;
  const u_char* d = nullptr;
  unsigned long long packets = 0, bytes = 0;
  int rc = 0;
  while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
    ++packets;
    bytes += h->caplen;
  }
  if (rc == PCAP_ERROR) std::fprintf(stderr, "%s: %s\n", argv[1], pcap_geterr(p));
  pcap_close(p);
  std::printf("%llu packets, %llu bytes\n", packets, bytes);
  return rc == PCAP_ERROR ? 1 : 0;
}
