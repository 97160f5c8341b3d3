# Sourced by the adapter tests (adapter_stdio.sh, node_adapter.sh): one whole adapter session.
#
# check_session COMMAND...  sends the caller's "${requests[@]}", one per line, to COMMAND's stdin
# and checks its stdout: one answer line per request before bye, the i-th containing
# "${expected[i]}", and exit status 0. Prints each difference and sets fail=1.
check_session() {
  local answers_file status i
  local -a answers
  answers_file=$(mktemp)
  printf '%s\n' "${requests[@]}" | timeout 20 "$@" >"$answers_file"
  status=${PIPESTATUS[1]}  # the adapter's own status (a pipe into a file keeps it)
  mapfile -t answers <"$answers_file"
  rm -f "$answers_file"
  if [[ ${#answers[@]} -ne ${#expected[@]} ]]; then
    echo "FAIL: ${#answers[@]} answer lines for ${#expected[@]} requests before bye (one per request, none after bye)"
    fail=1
  fi
  for i in "${!expected[@]}"; do
    if [[ "${answers[i]:-}" != *"${expected[i]}"* ]]; then
      echo "FAIL request $i: ${requests[i]}"
      echo "     expected to contain: ${expected[i]}"
      echo "     got:                 ${answers[i]:-<nothing>}"
      fail=1
    fi
  done
  [[ $status -eq 0 ]] || { echo "FAIL: the adapter exited $status after bye (expected 0)"; fail=1; }
}
