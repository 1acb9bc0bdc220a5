#include "sim_pair.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <exception>
#include <iostream>

namespace fs = std::filesystem;

namespace failover_hil::testing {

namespace {

hil::SimulatorOptions simulator_options(const SimPair::Options& o) {
  char tmpl[] = "/tmp/fhil-simpair-XXXXXX";
  hil::SimulatorOptions s;
  s.dir = ::mkdtemp(tmpl);
  s.binary = BSERIES_SIM_PATH;
  s.time_scale = o.time_scale;
  s.b_software = o.b_software;
  s.same_inter_appliance_key = o.same_inter_appliance_key;
  s.api_namespace_base = o.api_namespace_base;
  s.last_data_sync_time = o.last_data_sync_time;
  s.layout = o.layout;
  return s;
}

}  // namespace

SimPair::SimPair() : SimPair(Options{}) {}

SimPair::SimPair(Options options) : hil::SimulatorSet(simulator_options(options)) {}

SimPair::~SimPair() {
  stop();
  if (::testing::Test::HasFailure() || std::uncaught_exceptions() > 0) {
    std::cerr << "bseries-sim logs kept in " << dir() << "\n";
  } else {
    std::error_code ec;
    fs::remove_all(dir(), ec);
  }
}

}  // namespace failover_hil::testing
