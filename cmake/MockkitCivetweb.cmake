# civetweb::civetweb, for the build and for the installed mockkit package.
# Debian 12's civetweb CMake config names /usr/bin/civetweb (a binary of
# another package) and fails, so the library is located directly.
# Sets MOCKKIT_CIVETWEB_FOUND; the caller decides whether a miss is fatal.
# MOCKKIT_CIVETWEB_GLOBAL: make the target visible to a parent project too
# (the in-tree build, which may be an add_subdirectory of another project).
set(MOCKKIT_CIVETWEB_FOUND TRUE)
if(NOT TARGET civetweb::civetweb)
  find_path(MOCKKIT_CIVETWEB_INCLUDE_DIR civetweb.h)
  find_library(MOCKKIT_CIVETWEB_LIBRARY civetweb)
  if(MOCKKIT_CIVETWEB_INCLUDE_DIR AND MOCKKIT_CIVETWEB_LIBRARY)
    if(MOCKKIT_CIVETWEB_GLOBAL)
      add_library(civetweb::civetweb UNKNOWN IMPORTED GLOBAL)
    else()
      add_library(civetweb::civetweb UNKNOWN IMPORTED)
    endif()
    set_target_properties(civetweb::civetweb PROPERTIES
      IMPORTED_LOCATION "${MOCKKIT_CIVETWEB_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${MOCKKIT_CIVETWEB_INCLUDE_DIR}")
  else()
    set(MOCKKIT_CIVETWEB_FOUND FALSE)
  endif()
endif()
