# Install rules that are not one library's: the CMake package, the shipped
# fixtures, the man page, the docs, and the Debian package (cpack -G DEB).
# Libraries and headers are installed by mockkit_library (MockkitLibrary.cmake),
# the mockkit binary by tools/CMakeLists.txt.
include(CMakePackageConfigHelpers)

mockkit_write_pkgconfig()

install(EXPORT mockkitTargets NAMESPACE mockkit:: DESTINATION ${MOCKKIT_INSTALL_CMAKEDIR})
configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/mockkitConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/mockkitConfig.cmake
  INSTALL_DESTINATION ${MOCKKIT_INSTALL_CMAKEDIR}
  PATH_VARS MOCKKIT_INSTALL_FIXTURESDIR CMAKE_INSTALL_INCLUDEDIR)
# 0.x: a minor release may change the API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/mockkitConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/mockkitConfig.cmake
              ${PROJECT_BINARY_DIR}/cmake/mockkitConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/MockkitCivetweb.cmake
        DESTINATION ${MOCKKIT_INSTALL_CMAKEDIR})

# The shipped cassettes: what `mockkit serve` replays by default and what an
# embedding test points mk_mock_new at (MOCKKIT_FIXTURES_DIR, fixturesdir).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/fixtures/ DESTINATION ${MOCKKIT_INSTALL_FIXTURESDIR})
# The service models that `mockkit lint` and `check --conform` read (not
# models/gen, which regenerates them from upstream).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/models/ DESTINATION ${MOCKKIT_INSTALL_MODELSDIR}
        FILES_MATCHING PATTERN "*.json" PATTERN gen EXCLUDE)

install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/cassette.md
              ${PROJECT_SOURCE_DIR}/docs/cassette.schema.json ${PROJECT_SOURCE_DIR}/docs/recording.md
              ${PROJECT_SOURCE_DIR}/docs/design.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

# ---- Debian package ---------------------------------------------------------
# One package, like a -dev package with its tool: static libraries, headers,
# pkg-config and CMake files, the mockkit binary and the fixtures. It depends
# on the -dev packages because a program linking the static libraries needs
# them (and cjson/cJSON.h, which the public headers include).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME mockkit)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "mock servers, clients and suites for AI-assistant service APIs")
set(CPACK_PACKAGE_DESCRIPTION
    "Replays recorded sessions of Pieces OS, Bee API, OpenAI Chat Completions and Cairos\n\
from cassettes, records new ones, and checks live services against them.")
set(MOCKKIT_PACKAGE_CONTACT "mockkit maintainers <mockkit@localhost>" CACHE STRING
    "Maintainer field of the Debian package (set it when publishing one)")
set(CPACK_PACKAGE_CONTACT "${MOCKKIT_PACKAGE_CONTACT}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libcivetweb-dev (>= 1.15), libcjson-dev (>= 1.7.15), libcurl4-openssl-dev (>= 7.88) | libcurl-dev, libssl-dev, pkg-config")
# The mockkit binary's own shared-library dependencies, computed by dpkg-shlibdeps.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/" "node_modules/")
include(CPack)
