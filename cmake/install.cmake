# Install rules, the exported CMake package and the Debian package
# (docs/install.md). Everything an installed tree needs is declared here, so
# the per-folder CMakeLists.txt only say how to build.
#
#   bin/                      failover-hil, bseries-sim, bseries-client
#   share/failover-hil/       scenarios/ (with labs/), found by the binaries
#                             relative to themselves (hil/src/install_layout.cpp)
#   share/doc/failover-hil/   README.md and docs/
#   lib/, include/            the static libraries and their public headers
#   lib/cmake/failover_hil/   find_package(failover_hil CONFIG)
#   <python dir>/failover_hil/ the package, where Debian's python3 looks
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(FAILOVER_HIL_INSTALL_DATADIR ${CMAKE_INSTALL_DATADIR}/failover-hil)
set(FAILOVER_HIL_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/failover_hil)
# Named after the package, as Debian names doc directories (not the project).
set(FAILOVER_HIL_INSTALL_DOCDIR ${CMAKE_INSTALL_DATAROOTDIR}/doc/failover-hil)

# ---- the binaries find their data relative to themselves ---------------------
file(RELATIVE_PATH fhil_data_from_bindir ${CMAKE_INSTALL_FULL_BINDIR}
     ${CMAKE_INSTALL_PREFIX}/${FAILOVER_HIL_INSTALL_DATADIR})
set_source_files_properties(${PROJECT_SOURCE_DIR}/hil/src/install_layout.cpp DIRECTORY hil
  PROPERTIES COMPILE_DEFINITIONS "FHIL_DATA_FROM_BINDIR=\"${fhil_data_from_bindir}\"")
# The build tree mirrors that layout: failover-hil is in <build>/hil, and the
# data directory beside it links to the sources' scenarios/ (edits show at once).
if(CMAKE_RUNTIME_OUTPUT_DIRECTORY)
  set(fhil_build_bindir ${CMAKE_RUNTIME_OUTPUT_DIRECTORY})
else()
  set(fhil_build_bindir ${PROJECT_BINARY_DIR}/hil)
endif()
cmake_path(ABSOLUTE_PATH fhil_data_from_bindir BASE_DIRECTORY ${fhil_build_bindir} NORMALIZE
           OUTPUT_VARIABLE fhil_build_datadir)
file(MAKE_DIRECTORY ${fhil_build_datadir})
file(CREATE_LINK ${PROJECT_SOURCE_DIR}/scenarios ${fhil_build_datadir}/scenarios SYMBOLIC)

# ---- what a harness host runs ------------------------------------------------
install(TARGETS failover-hil bseries-sim bseries-client
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
install(DIRECTORY scenarios DESTINATION ${FAILOVER_HIL_INSTALL_DATADIR} COMPONENT runtime)
install(FILES README.md DESTINATION ${FAILOVER_HIL_INSTALL_DOCDIR} COMPONENT runtime)
install(DIRECTORY docs/ DESTINATION ${FAILOVER_HIL_INSTALL_DOCDIR}/docs COMPONENT runtime)

# ---- the Python module -------------------------------------------------------
# Where /usr/bin/python3 finds it, decided when installing (CPack installs
# into its own staging prefix): /usr -> lib/python3/dist-packages (Debian's
# deb_system scheme), /usr/local -> lib/python3.X/dist-packages (posix_local),
# any other prefix -> <prefix>/lib/python3/dist-packages (set PYTHONPATH).
if(FAILOVER_HIL_BUILD_PYTHON)
  set(fhil_python_files "")
  foreach(f IN LISTS FAILOVER_HIL_PYTHON_SOURCES)
    string(APPEND fhil_python_files " \"${PROJECT_SOURCE_DIR}/pybind/failover_hil/${f}\"")
  endforeach()
  install(CODE "
    execute_process(
      COMMAND /usr/bin/python3 ${PROJECT_SOURCE_DIR}/cmake/python_install_dir.py \"\${CMAKE_INSTALL_PREFIX}\"
      OUTPUT_VARIABLE fhil_python_dir OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
    file(INSTALL DESTINATION \"\${fhil_python_dir}/failover_hil\" TYPE MODULE FILES \"$<TARGET_FILE:failover_hil_py>\")
    file(INSTALL DESTINATION \"\${fhil_python_dir}/failover_hil\" TYPE FILE FILES ${fhil_python_files})
    file(INSTALL DESTINATION \"\${fhil_python_dir}\" TYPE DIRECTORY FILES
      \"${FAILOVER_HIL_PYTHON_DIR}/${FAILOVER_HIL_DIST_INFO}\")
    " COMPONENT python)
endif()

# ---- the libraries and the CMake package for C++ users -----------------------
# failover_hil::core, ::sim_model, ::netlab, ::hil. The static libraries'
# private dependencies are link-only and resolved by failover_hilConfig.cmake;
# failover_hil::warnings is exported only because they name it (link-only, it
# gives a user no flags).
foreach(lib core sim_model netlab hil warnings)
  set_target_properties(failover_hil_${lib} PROPERTIES EXPORT_NAME ${lib})
endforeach()
install(TARGETS failover_hil_core failover_hil_sim_model failover_hil_netlab failover_hil_hil
                failover_hil_warnings
  EXPORT failover_hil_targets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
foreach(dir core sim netlab hil)
  install(DIRECTORY ${dir}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT development)
endforeach()
install(EXPORT failover_hil_targets NAMESPACE failover_hil:: FILE failover_hilTargets.cmake
  DESTINATION ${FAILOVER_HIL_INSTALL_CMAKEDIR} COMPONENT development)
configure_package_config_file(cmake/failover_hilConfig.cmake.in
  ${PROJECT_BINARY_DIR}/failover_hilConfig.cmake INSTALL_DESTINATION ${FAILOVER_HIL_INSTALL_CMAKEDIR})
# 0.x: a minor version may break the API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/failover_hilConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/failover_hilConfig.cmake
              ${PROJECT_BINARY_DIR}/failover_hilConfigVersion.cmake
  DESTINATION ${FAILOVER_HIL_INSTALL_CMAKEDIR} COMPONENT development)

# ---- the Debian package: `cpack -G DEB` in the build tree ---------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME failover-hil)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "failover-hil maintainers <failover-hil@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "hardware-in-the-loop harness for the asynchronous upgrade of a B Series failover pair")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
  "failover-hil runs upgrade scenarios against two appliances (physical ones, or the\n"
  "bundled bseries-sim simulator in a lab of network namespaces, or in process),\n"
  "measures the switch's downtime from captures and writes reports. With the Python\n"
  "module and the CMake package (failover_hil::hil) for C++ users.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # failover-hil_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
# Shared libraries: dpkg-shlibdeps (dpkg-dev) adds their packages to Depends.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Programs the harness executes: named for the DNS swing (netlab/src/dns_server.cpp).
set(fhil_depends "bind9")
if(FAILOVER_HIL_BUILD_PYTHON)
  # The module is built for this interpreter's ABI (cpython-3XY) only.
  execute_process(COMMAND /usr/bin/python3 -c "import sys; print('%d.%d' % sys.version_info[:2])"
    OUTPUT_VARIABLE fhil_py_version OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
  string(REGEX REPLACE "^3\\.([0-9]+)$" "\\1" fhil_py_minor ${fhil_py_version})
  math(EXPR fhil_py_next "${fhil_py_minor} + 1")
  string(APPEND fhil_depends ", python3 (>= ${fhil_py_version}), python3 (<< 3.${fhil_py_next})")
endif()
set(CPACK_DEBIAN_PACKAGE_DEPENDS ${fhil_depends})
# The lab's own checks and what an operator uses beside the harness.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "iproute2, nftables, bind9-utils, tcpdump, curl, openssl")
# Building against the CMake package needs the libraries' development files.
string(CONCAT CPACK_DEBIAN_PACKAGE_SUGGESTS
  "tshark, g++, cmake, pkg-config, libboost1.81-dev, libboost-json1.81-dev, libssl-dev, "
  "libpcap-dev, libnl-3-dev, libnl-route-3-dev, libnl-nf-3-dev, libnftables-dev, "
  "libldns-dev, libpugixml-dev, libyaml-cpp-dev")
include(CPack)
