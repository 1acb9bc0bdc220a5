# Warnings for project targets, linked PRIVATE so they never leak to users.
add_library(failover_hil_warnings INTERFACE)
add_library(failover_hil::warnings ALIAS failover_hil_warnings)
target_compile_options(failover_hil_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
  -Wno-missing-field-initializers -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough
  $<$<BOOL:${FAILOVER_HIL_WERROR}>:-Werror>)
