# cmake -DMOCKKIT=<binary> -DOUT=<mockkit.1> -DVERSION=<x.y.z> -P MockkitManPage.cmake
# Writes mockkit(1) from `mockkit --help` and `mockkit <command> --help`:
# the commands are the indented words of the top-level help.

# Help text as a roff no-fill block: escape backslashes, and guard lines
# that roff would read as requests (a leading . or ').
function(_mk_roff_block text out)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out} ".nf\n${text}.fi\n" PARENT_SCOPE)
endfunction()

execute_process(COMMAND ${MOCKKIT} --help OUTPUT_VARIABLE top RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${MOCKKIT} --help failed (${rc})")
endif()
string(REGEX MATCHALL "\n  [a-z]+ " cmds "${top}")
_mk_roff_block("${top}" top_roff)

set(page ".TH MOCKKIT 1 \"\" \"mockkit ${VERSION}\" \"User Commands\"
.SH NAME
mockkit \\- replay, record and check recorded sessions of AI-assistant service APIs
.SH SYNOPSIS
.B mockkit
.I command
[options]
.SH DESCRIPTION
${top_roff}.SH COMMANDS
")
foreach(c IN LISTS cmds)
  string(STRIP "${c}" c)
  execute_process(COMMAND ${MOCKKIT} ${c} --help OUTPUT_VARIABLE help ERROR_VARIABLE help
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${MOCKKIT} ${c} --help failed (${rc})")
  endif()
  _mk_roff_block("${help}" help_roff)
  string(APPEND page ".SS ${c}\n${help_roff}")
endforeach()
string(APPEND page ".SH FILES
.TP
.I <prefix>/share/mockkit/fixtures
the shipped cassettes, replayed by default when ./fixtures does not exist
.SH SEE ALSO
The cassette format and the recorder: <prefix>/share/doc/mockkit/.
")
file(WRITE ${OUT}.tmp "${page}")
file(RENAME ${OUT}.tmp ${OUT})
