# Name suites suite-<area>-<topic>, e.g. suite-bee-runs.
# mockkit_add_suite(NAME <name> SOURCES <files...> LIBS <targets...> [LABELS <labels...>] [CHECK])
# Builds suites/<area>/<file>.c into one executable and registers one ctest.
# CHECK: a suite `mockkit check` runs (suite-<service>-*), installed to
# libexec/mockkit, where an installed mockkit looks for it.
# Every suite knows where the shipped fixtures are (MOCKKIT_FIXTURES_DIR) and
# the shared helpers in suites/common (suite.c; child.c runs the CLI).
function(mockkit_add_suite)
  cmake_parse_arguments(S "CHECK" "NAME" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${S_NAME} ${S_SOURCES} ${PROJECT_SOURCE_DIR}/suites/common/suite.c
                            ${PROJECT_SOURCE_DIR}/suites/common/child.c
                            ${PROJECT_SOURCE_DIR}/tools/cli/netwhy.c)
  # client/core: kit.h (monotonic deadlines, said once for the kit).
  target_include_directories(${S_NAME} PRIVATE ${PROJECT_SOURCE_DIR}/suites/common
                             ${PROJECT_SOURCE_DIR}/tools/cli
                             ${CMOCKA_INCLUDE_DIR} ${PROJECT_SOURCE_DIR}/client/core)
  file(RELATIVE_PATH to_fixtures /prefix/${MOCKKIT_INSTALL_SUITESDIR}
       /prefix/${MOCKKIT_INSTALL_FIXTURESDIR})
  target_compile_definitions(${S_NAME} PRIVATE
    MOCKKIT_FIXTURES_DIR="${MOCKKIT_FIXTURES_DIR}"
    MOCKKIT_SUITE_TO_FIXTURES="${to_fixtures}"
    MOCKKIT_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    MOCKKIT_BINARY_DIR="${PROJECT_BINARY_DIR}")
  target_link_libraries(${S_NAME} PRIVATE ${S_LIBS} ${CMOCKA_LIBRARIES} Threads::Threads)
  # All suites land in bin/ beside the mockkit binary: `mockkit check` runs
  # bin/suite-<service>-* against the mocks it starts.
  set_target_properties(${S_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)
  add_test(NAME ${S_NAME} COMMAND ${S_NAME})
  set_tests_properties(${S_NAME} PROPERTIES TIMEOUT 300 LABELS "${S_LABELS}")
  if(S_CHECK AND MOCKKIT_INSTALL)
    install(TARGETS ${S_NAME} RUNTIME DESTINATION ${MOCKKIT_INSTALL_SUITESDIR})
    mockkit_installed_rpath(${S_NAME} ${MOCKKIT_INSTALL_SUITESDIR})
  endif()
endfunction()

# mockkit_timing_tests(<test>...): tests that assert on the real clock
# (a gap within a tolerance, a timeout within a bound). Label "timing", and
# RUN_SERIAL so that ctest -jN never runs them beside other tests: on a
# loaded 2-core machine a busy neighbour is what makes them late. Prefer
# the virtual clock (mk_clock_new_virtual) for new tests.
function(mockkit_timing_tests)
  foreach(t IN LISTS ARGN)
    set_property(TEST ${t} APPEND PROPERTY LABELS timing)
    set_property(TEST ${t} PROPERTY RUN_SERIAL TRUE)
  endforeach()
endfunction()
