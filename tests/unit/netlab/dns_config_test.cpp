#include <gtest/gtest.h>

#include "failover_hil/netlab/dns_query.hpp"
#include "failover_hil/netlab/dns_server.hpp"
#include "failover_hil/netlab/tsig_key.hpp"

namespace failover_hil::netlab {
namespace {

NamedConfig lab_config() {
  NamedConfig c;
  c.listen = Ipv4Address::parse("198.18.0.53");
  c.records = {{"support", Ipv4Address::parse("198.18.0.11"), std::chrono::seconds(1)}};
  return c;
}

TEST(NamedConf, ListensOnTheLabAddressOnlyWithoutRecursionAndRndc) {
  const auto conf = named_conf_text(lab_config(), "/run/x");
  EXPECT_NE(conf.find("listen-on port 53 { 198.18.0.53; };"), std::string::npos);
  EXPECT_NE(conf.find("listen-on-v6 { none; };"), std::string::npos);
  EXPECT_NE(conf.find("recursion no;"), std::string::npos);
  EXPECT_NE(conf.find("controls { };"), std::string::npos);
  EXPECT_NE(conf.find("pid-file \"/run/x/named.pid\";"), std::string::npos);
  EXPECT_NE(conf.find("include \"/run/x/update.key\";"), std::string::npos);
  EXPECT_NE(conf.find("zone \"lab.example.\" {"), std::string::npos);
  EXPECT_NE(conf.find("allow-update { key \"fhil-update.\"; };"), std::string::npos);
}

TEST(ZoneFile, HoldsSoaNsAndTheRecordsWithTheirTtl) {
  EXPECT_EQ(zone_file_text(lab_config()),
            "$ORIGIN lab.example.\n"
            "$TTL 60\n"
            "@ IN SOA ns.lab.example. hostmaster.lab.example. 1 3600 600 86400 1\n"
            "@ IN NS ns.lab.example.\n"
            "ns IN A 198.18.0.53\n"
            "support 1 IN A 198.18.0.11\n");
}

TEST(TsigKey, GeneratesRandom256BitSecretsInBindFormat) {
  const auto a = TsigKey::generate("k.");
  const auto b = TsigKey::generate("k.");
  EXPECT_NE(a.secret, b.secret);
  EXPECT_EQ(a.secret.size(), 44u) << "32 bytes in base64";
  EXPECT_EQ(a.algorithm, "hmac-sha256");
  const auto parsed = parse_tsig_key(a.bind_config());
  EXPECT_EQ(parsed.name, "k.");
  EXPECT_EQ(parsed.algorithm, "hmac-sha256");
  EXPECT_EQ(parsed.secret, a.secret);
}

TEST(TsigKey, ParsesTsigKeygenOutput) {
  const auto key = parse_tsig_key(
      "key \"ddns-key\" {\n\talgorithm hmac-sha256;\n\tsecret "
      "\"Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyMTI=\";\n};\n");
  EXPECT_EQ(key.name, "ddns-key");
  EXPECT_EQ(key.secret, "Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyMTI=");
  EXPECT_THROW(parse_tsig_key("key \"x\" { algorithm hmac-sha256; };"), NetlabError);
  EXPECT_THROW(parse_tsig_key("nothing here"), NetlabError);
}

TEST(DnsNames, RcodesAndTsigErrorsAreNamed) {
  EXPECT_EQ(rcode_name(rcode::kNotAuth), "NOTAUTH");
  EXPECT_EQ(rcode_name(rcode::kRefused), "REFUSED");
  EXPECT_EQ(rcode_name(42), "RCODE 42");
  EXPECT_EQ(tsig_error_name(16), "BADSIG");
  EXPECT_EQ(tsig_error_name(17), "BADKEY");
}

}  // namespace
}  // namespace failover_hil::netlab
