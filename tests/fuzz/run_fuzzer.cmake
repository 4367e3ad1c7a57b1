# Runs a libFuzzer binary for a bounded time on a scratch copy of its seed corpus.
#   cmake -DFUZZER=bin -DCORPUS=dir -DWORK=dir -P run_fuzzer.cmake
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/corpus)
file(GLOB seeds ${CORPUS}/*)
file(COPY ${seeds} DESTINATION ${WORK}/corpus)
execute_process(
  COMMAND ${FUZZER} -runs=200000 -max_total_time=60 -artifact_prefix=${WORK}/ ${WORK}/corpus
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "${FUZZER} found a failure (exit ${result}); the input is in ${WORK}/")
endif()
