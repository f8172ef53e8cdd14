# Used by run.sh only while tools/CMakeLists.txt does not add_subdirectory(bench)
# yet: CMAKE_PROJECT_INCLUDE runs this right after project(), and the
# deferred include defines mockkit-bench once every other target exists
# (a deferred add_subdirectory is not allowed).
cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR}
               CALL include ${CMAKE_SOURCE_DIR}/tools/bench/CMakeLists.txt)
