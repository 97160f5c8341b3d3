# Broken servers, one planted defect each (planted/README.md), and the live scenarios that must
# catch them. A twin of the `sioconf` command is sioconf_main and sioconf_cli linked with one
# patched object (sioconf_planted_<bug>: a copy of an impl/src file, or of conformance/cli/serve.cc
# for a defect of the server's application), as sioconf_twin_sio_no_attachment_cap above: nothing
# of the CLI is compiled again. Its `sioconf serve` has the defect, and the ctest
# conformance.live-planted.<bug> runs `sioconf live` against it (test/live_planted.py) with only the
# cases that must catch it: each must be FAIL. Included from conformance/CMakeLists.txt.
set(_live_planted_script ${CMAKE_CURRENT_SOURCE_DIR}/test/live_planted.py)

# sioconf_live_planted(<bug> [WHY <text>] [SERVE_ARGS <arg>...] CASES <scenario id>@<transport>...)
#   WHY: what each case's reason must contain; SERVE_ARGS: more arguments of the twin's `serve`
function(sioconf_live_planted bug)
  cmake_parse_arguments(ARG "" "WHY" "SERVE_ARGS;CASES" ${ARGN})
  add_executable(sioconf_twin_${bug})
  target_link_libraries(sioconf_twin_${bug} PRIVATE sioconf_planted_${bug} sioconf_main sioconf_cli)
  list(TRANSFORM ARG_SERVE_ARGS PREPEND --serve-arg= OUTPUT_VARIABLE _serve_args)
  add_test(NAME conformance.live-planted.${bug}
           COMMAND ${Python3_EXECUTABLE} ${_live_planted_script} --sioconf $<TARGET_FILE:sioconf_twin_${bug}>
                   --corpus ${PROJECT_SOURCE_DIR}/corpus/live --json ${CMAKE_BINARY_DIR}/live-planted-${bug}.json
                   ${_serve_args} --why=${ARG_WHY} ${ARG_CASES})
  set_tests_properties(conformance.live-planted.${bug} PROPERTIES LABELS conformance TIMEOUT 300
                       RESOURCE_LOCK live-servers)
  # Every case of every twin, for the control below.
  set_property(DIRECTORY APPEND PROPERTY SIOCONF_LIVE_PLANTED_CASES ${ARG_CASES})
endfunction()

# The server's ACK carries id + 1 (impl/src/session/server_socket.cc).
sioconf_live_planted(wrong_ack_id CASES
  sio.message.ack@polling sio.message.ack@websocket sio.message.ack@upgrade
  sio.order.thousand-acks@polling sio.order.thousand-acks@websocket sio.order.thousand-acks@upgrade)
# Every 10th "message-back" goes out after the next one (conformance/cli/serve.cc).
sioconf_live_planted(reordered_events CASES
  sio.order.thousand-events@polling sio.order.thousand-events@websocket sio.order.thousand-events@upgrade)
# The 500th "message-back" of a connection is never sent (conformance/cli/serve.cc).
sioconf_live_planted(dropped_packet CASES
  sio.order.thousand-events@polling sio.order.thousand-events@websocket sio.order.thousand-events@upgrade)
# The "auth" event carries {} whatever the CONNECT's auth (conformance/cli/serve.cc).
sioconf_live_planted(missing_auth CASES
  sio.connect.main-auth@polling sio.connect.main-auth@websocket sio.connect.main-auth@upgrade)
# Pings at twice the announced pingInterval (impl/src/engine/session.cc).
sioconf_live_planted(late_pings CASES
  eio.heartbeat.pings@polling eio.heartbeat.pings@websocket eio.heartbeat.pings@upgrade)
# An "error" event aborts the process, CVE-2024-38355's shape (conformance/cli/serve.cc).
sioconf_live_planted(crash_on_error_event WHY "a fresh client was not served" CASES
  sio.hostile.error-event@polling sio.hostile.error-event@websocket sio.hostile.error-event@upgrade)
# Arguments nested more than 1,000 arrays deep block the loop (conformance/cli/serve.cc). The
# default depth limit (32) refuses such an event before the application sees it, so this server
# admits depth 100,000, as a user may configure it; the unbroken server then answers the event.
set(_deep_serve_args --limit max_depth=100000)
sioconf_live_planted(stall WHY "a fresh client was not served" SERVE_ARGS ${_deep_serve_args} CASES
  sio.hostile.deep-nesting@websocket sio.hostile.deep-nesting@polling)

# The check can fail: the same run against the unbroken `sioconf` (with the stall's serve args),
# where every case above PASSes, so the check exits 1; --control inverts that into the test's pass.
get_property(_all_cases DIRECTORY PROPERTY SIOCONF_LIVE_PLANTED_CASES)
list(REMOVE_DUPLICATES _all_cases)
list(TRANSFORM _deep_serve_args PREPEND --serve-arg= OUTPUT_VARIABLE _control_serve_args)
add_test(NAME conformance.live-planted.unbroken-control
         COMMAND ${Python3_EXECUTABLE} ${_live_planted_script} --control --sioconf $<TARGET_FILE:sioconf>
                 --corpus ${PROJECT_SOURCE_DIR}/corpus/live --json ${CMAKE_BINARY_DIR}/live-planted-control.json
                 ${_control_serve_args} ${_all_cases})
set_tests_properties(conformance.live-planted.unbroken-control PROPERTIES LABELS conformance TIMEOUT 300
                     RESOURCE_LOCK live-servers)
