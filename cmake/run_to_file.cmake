# cmake -DPROG=... -DARGS="a;b" -DOUT=file -P run_to_file.cmake: PROG's stdout into OUT, failing
# the build when PROG fails.
execute_process(COMMAND ${PROG} ${ARGS} OUTPUT_FILE ${OUT} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE ${OUT})
  message(FATAL_ERROR "${PROG} ${ARGS} failed: ${rc}")
endif()
