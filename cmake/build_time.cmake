# Build time (issue 11): the libraries and executables that ci/demo builds are
# compiled as unity builds (sources batched into a few translation units),
# which parses the shared headers (Boost.JSON, Beast, CLI11, yaml-cpp) and
# emits their inline code once per batch instead of once per file. Measured
# with bench/run-build-bench; see docs/development.md, "Build time".
# FAILOVER_HIL_UNITY_BUILD=OFF gives the one-object-per-file build back (faster
# incremental rebuilds of a single file).
option(FAILOVER_HIL_UNITY_BUILD "Compile the project's libraries as unity builds" ON)
if(FAILOVER_HIL_UNITY_BUILD)
  set_target_properties(
    failover_hil_sim_model failover_hil_netlab failover_hil_hil failover-hil bseries-sim
    PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 8)
  # Compiled on their own: the large Asio/Beast coroutine files (each costs
  # about as much as a batch), and files whose file-local names (anonymous
  # namespace helpers, `tcp`, a step's `run`) clash with another file's.
  set(own_tu
    netlab/src/probe_runner.cpp netlab/src/analysis.cpp
    sim/service/server.cpp sim/service/main.cpp
    hil/src/report_junit.cpp hil/src/report_summary.cpp hil/src/simulators.cpp
    hil/src/steps/backup.cpp hil/src/steps/break.cpp hil/src/steps/reestablish.cpp
    hil/src/steps/switch.cpp hil/src/steps/sync.cpp hil/src/steps/update.cpp
    hil/src/steps/verify_backup.cpp hil/src/steps/verify_production.cpp)
  foreach(file IN LISTS own_tu)
    string(REGEX MATCH "^[^/]+" dir "${file}")
    set_source_files_properties("${PROJECT_SOURCE_DIR}/${file}" DIRECTORY "${dir}"
      PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
  endforeach()
endif()
