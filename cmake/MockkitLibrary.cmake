# mockkit_library(<target> NAME <name> DESCRIPTION <text> HEADERS <files...>)
# Makes an already defined library installable and usable from outside:
#   - mockkit::<name> (an alias here, an imported target after find_package)
#   - its public headers under include/mockkit/
#   - lib/pkgconfig/mockkit-<name>.pc, written from the target's own link
#     libraries (mockkit_write_pkgconfig, once all targets exist), so the
#     dependencies are said once, in target_link_libraries
#   - the header list for the C++ header test (MOCKKIT_PUBLIC_HEADERS)
# Call it after target_link_libraries. Include directories must be given as
# $<BUILD_INTERFACE:...> so that the exported target does not point into
# the source tree.
include_guard(GLOBAL)
include(GNUInstallDirs)

set(MOCKKIT_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/mockkit)
set(MOCKKIT_INSTALL_FIXTURESDIR ${CMAKE_INSTALL_DATADIR}/mockkit/fixtures)
# The compatibility suites `mockkit check` runs (not on PATH).
set(MOCKKIT_INSTALL_SUITESDIR ${CMAKE_INSTALL_LIBEXECDIR}/mockkit)
# The service models (models/*.json) that lint and check --conform read.
set(MOCKKIT_INSTALL_MODELSDIR ${CMAKE_INSTALL_DATADIR}/mockkit/models)
# The CivetWeb TLS shim, a libssl.so of its own (mocks/server/CMakeLists.txt).
set(MOCKKIT_INSTALL_CIVETWEB_SSLDIR ${CMAKE_INSTALL_LIBDIR}/mockkit/civetweb-ssl)

# One row per dependency a mockkit library may link: how pkg-config says it.
# A module name goes to Requires, anything starting with - or $ to Libs.
set(_mk_pc_map_cjson "libcjson")
set(_mk_pc_map_CURL::libcurl "libcurl")
set(_mk_pc_map_OpenSSL::SSL "libssl")
set(_mk_pc_map_OpenSSL::Crypto "libcrypto")
# By full path (-lssl would be the real libssl), with its folder in RUNPATH.
set(_mk_pc_map_mockkit_civetweb_ssl "\${prefix}/${MOCKKIT_INSTALL_CIVETWEB_SSLDIR}/libssl.so \
-Wl,-rpath,\${prefix}/${MOCKKIT_INSTALL_CIVETWEB_SSLDIR}")
set(_mk_pc_map_civetweb::civetweb "-lcivetweb")  # Debian ships no civetweb.pc
set(_mk_pc_map_Threads::Threads "-pthread")
set(_mk_pc_map_m "-lm")

# pkg-config words for one link item: a mockkit target, or a mapped dependency.
function(_mockkit_pc_item item out_modules out_libs)
  set(_export "")
  set(mods "")
  set(libs "")
  if(TARGET ${item})
    get_target_property(_export ${item} MOCKKIT_PC_NAME)
  endif()
  if(_export)
    set(mods "mockkit-${_export}")
  elseif(DEFINED _mk_pc_map_${item})
    if(_mk_pc_map_${item} MATCHES "^[-$]")
      set(libs "${_mk_pc_map_${item}}")
    else()
      set(mods "${_mk_pc_map_${item}}")
    endif()
  else()
    message(FATAL_ERROR "mockkit_library: no pkg-config name for link item '${item}': "
                        "add a row to cmake/MockkitLibrary.cmake")
  endif()
  set(${out_modules} "${mods}" PARENT_SCOPE)
  set(${out_libs} "${libs}" PARENT_SCOPE)
endfunction()

# mockkit_installed_rpath(<target> <install dir of target>): an installed
# executable finds the CivetWeb TLS shim (libssl.so, see
# mocks/server/CMakeLists.txt) relative to itself, wherever the prefix is.
function(mockkit_installed_rpath target dir)
  file(RELATIVE_PATH rel /prefix/${dir} /prefix/${MOCKKIT_INSTALL_CIVETWEB_SSLDIR})
  set_target_properties(${target} PROPERTIES INSTALL_RPATH "$ORIGIN/${rel}")
endfunction()

function(mockkit_library target)
  cmake_parse_arguments(L "" "NAME;DESCRIPTION" "HEADERS" ${ARGN})
  add_library(mockkit::${L_NAME} ALIAS ${target})
  set_target_properties(${target} PROPERTIES
    EXPORT_NAME ${L_NAME}
    MOCKKIT_PC_NAME ${L_NAME}
    POSITION_INDEPENDENT_CODE ON)  # so a user may link it into a shared object
  target_include_directories(${target} INTERFACE $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)

  set(abs_headers "")
  foreach(h IN LISTS L_HEADERS)
    get_filename_component(abs ${h} ABSOLUTE)
    list(APPEND abs_headers ${abs})
  endforeach()
  set_property(GLOBAL APPEND PROPERTY MOCKKIT_PUBLIC_HEADERS ${abs_headers})

  if(NOT MOCKKIT_INSTALL)
    return()
  endif()
  install(TARGETS ${target} EXPORT mockkitTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
          RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(FILES ${abs_headers} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/mockkit)
  set_target_properties(${target} PROPERTIES MOCKKIT_PC_DESCRIPTION "${L_DESCRIPTION}")
  # The .pc is written once every target exists (mockkit_write_pkgconfig,
  # from MockkitInstall.cmake): a library may link one defined later.
  set_property(GLOBAL APPEND PROPERTY MOCKKIT_LIBRARIES ${target})
endfunction()

# Writes and installs lib/pkgconfig/mockkit-<name>.pc for each library.
function(mockkit_write_pkgconfig)
  get_property(targets GLOBAL PROPERTY MOCKKIT_LIBRARIES)
  foreach(target IN LISTS targets)
    _mockkit_write_pc(${target})
  endforeach()
endfunction()

function(_mockkit_write_pc target)
  # PUBLIC links appear in INTERFACE_LINK_LIBRARIES as they are, PRIVATE
  # ones (of a static library) as $<LINK_ONLY:...>. pkg-config has no
  # "link only": a static archive needs its private dependencies on every
  # link, so they go to Requires and Libs too (.private is for --static,
  # which on Debian drags in libcurl's own static dependencies, not
  # installed). A shared build keeps them .private.
  get_target_property(iface ${target} INTERFACE_LINK_LIBRARIES)
  get_target_property(type ${target} TYPE)
  if(NOT iface)
    set(iface "")
  endif()
  set(req "")
  set(req_priv "")
  set(libs "")
  set(libs_priv "")
  foreach(item IN LISTS iface)
    set(private FALSE)
    if(item MATCHES "^\\$<LINK_ONLY:(.*)>$")
      set(item "${CMAKE_MATCH_1}")
      set(private TRUE)
    endif()
    _mockkit_pc_item(${item} item_mods item_libs)
    if(private AND NOT type STREQUAL "STATIC_LIBRARY")
      list(APPEND req_priv ${item_mods})
      list(APPEND libs_priv ${item_libs})
    else()
      list(APPEND req ${item_mods})
      list(APPEND libs ${item_libs})
    endif()
  endforeach()
  foreach(v req req_priv libs libs_priv)
    list(REMOVE_DUPLICATES ${v})
  endforeach()
  if(req)
    list(REMOVE_ITEM req_priv ${req})
  endif()
  string(REPLACE ";" ", " MK_PC_REQUIRES "${req}")
  string(REPLACE ";" ", " MK_PC_REQUIRES_PRIVATE "${req_priv}")
  string(REPLACE ";" " " MK_PC_LIBS "${libs}")
  string(REPLACE ";" " " MK_PC_LIBS_PRIVATE "${libs_priv}")
  get_target_property(MK_PC_NAME ${target} MOCKKIT_PC_NAME)
  get_target_property(MK_PC_DESCRIPTION ${target} MOCKKIT_PC_DESCRIPTION)
  get_target_property(MK_PC_LIB ${target} OUTPUT_NAME)
  if(NOT MK_PC_LIB)
    set(MK_PC_LIB ${target})
  endif()
  set(pcdir ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
  file(RELATIVE_PATH MK_PC_TO_PREFIX /prefix/${pcdir} /prefix)
  string(REGEX REPLACE "/$" "" MK_PC_TO_PREFIX "${MK_PC_TO_PREFIX}")
  set(pc ${PROJECT_BINARY_DIR}/pkgconfig/mockkit-${MK_PC_NAME}.pc)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/mockkit.pc.in ${pc} @ONLY)
  install(FILES ${pc} DESTINATION ${pcdir})
endfunction()
