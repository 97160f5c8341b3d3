# Applies planted bugs (planted/README.md). GNU patch with --fuzz=0: every context line must match
# (a hunk may only have moved, by whole lines), and --force: a patch is never taken as reversed, so
# a source that already has the bug fails too instead of being "fixed".
#
#   cmake -DPATCH_PROGRAM=patch -DPATCH_FILE=<bug>.patch -DSOURCE=<file> -DOUTPUT=<copy> -P apply.cmake
#       writes the patched copy (the build of sioconf_planted_<bug>); fails if the patch does not apply
#   cmake -DPATCH_PROGRAM=patch -DCHECK_ALL=<planted dir> -DSOURCE_ROOT=<repo> -P apply.cmake
#       checks that every <bug>.patch applies to today's source (ctest planted.patches_apply)
#   cmake -DPATCH_PROGRAM=patch -DSTALE_TEST=<bug>.patch -DSOURCE_ROOT=<repo> -DWORK=<dir> -P apply.cmake
#       edits a context line of the patch in a copy of its source and wants the patch refused
#       (ctest planted.stale_patch_detected: the check above can fail)
cmake_minimum_required(VERSION 3.25)

if(NOT PATCH_PROGRAM)
  message(FATAL_ERROR "GNU patch not found (Debian package `patch`, ci/setup installs it); configure again after installing it")
endif()

# The path of the file a patch changes, from its "+++ b/<path>" line.
function(patched_path patch out)
  file(STRINGS ${patch} _changed REGEX "^\\+\\+\\+ b/")
  if(NOT _changed MATCHES "^\\+\\+\\+ b/([^\t ]+)")
    message(FATAL_ERROR "${patch}: no '+++ b/<path>' line")
  endif()
  set(${out} ${CMAKE_MATCH_1} PARENT_SCOPE)
endfunction()

# Applies `patch` to `source`, writing `output`; sets `rc` (0: applied) and `log`.
function(apply_one patch source output)
  execute_process(COMMAND ${PATCH_PROGRAM} --force --fuzz=0 --no-backup-if-mismatch --reject-file=-
                          --output=${output} ${source} ${patch}
                  RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _out)
  set(rc ${_rc} PARENT_SCOPE)
  set(log ${_out} PARENT_SCOPE)
endfunction()

set(_regenerate "Regenerate it from a copy of the source (planted/README.md, \"When a patch no longer applies\").")

if(PATCH_FILE)
  get_filename_component(_dir ${OUTPUT} DIRECTORY)
  file(MAKE_DIRECTORY ${_dir})
  apply_one(${PATCH_FILE} ${SOURCE} ${OUTPUT}.new)
  if(NOT rc EQUAL 0)
    file(REMOVE ${OUTPUT}.new)
    message(FATAL_ERROR "${PATCH_FILE} no longer applies to ${SOURCE}:\n${log}\n${_regenerate}")
  endif()
  file(RENAME ${OUTPUT}.new ${OUTPUT})
elseif(CHECK_ALL)
  file(GLOB _patches ${CHECK_ALL}/*.patch)
  if(NOT _patches)
    message(FATAL_ERROR "no patches in ${CHECK_ALL}")
  endif()
  set(_stale "")
  foreach(_patch ${_patches})
    get_filename_component(_bug ${_patch} NAME_WE)
    patched_path(${_patch} _path)
    apply_one(${_patch} ${SOURCE_ROOT}/${_path} /dev/null)
    if(NOT rc EQUAL 0)
      message("STALE ${_bug}: planted/${_bug}.patch does not apply to ${_path}:\n${log}")
      list(APPEND _stale ${_bug})
    elseif(log MATCHES "offset")
      message("ok    ${_bug} (${_path}; moved by a few lines, still exact)")
    else()
      message("ok    ${_bug} (${_path})")
    endif()
  endforeach()
  if(_stale)
    message(FATAL_ERROR "stale planted patches: ${_stale}. ${_regenerate}")
  endif()
elseif(STALE_TEST)
  patched_path(${STALE_TEST} _path)
  # The first context line of the first hunk, edited in a copy of the source.
  file(STRINGS ${STALE_TEST} _context REGEX "^ ..*")
  list(GET _context 0 _line)
  string(SUBSTRING "${_line}" 1 -1 _line)
  file(READ ${SOURCE_ROOT}/${_path} _text)
  string(FIND "${_text}" "${_line}" _at)
  if(_at EQUAL -1)
    message(FATAL_ERROR "the context line '${_line}' of ${STALE_TEST} is not in ${_path}")
  endif()
  string(REPLACE "${_line}" "${_line}  // edited" _text "${_text}")
  get_filename_component(_name ${_path} NAME)
  file(MAKE_DIRECTORY ${WORK})
  file(WRITE ${WORK}/${_name} "${_text}")
  apply_one(${STALE_TEST} ${WORK}/${_name} ${WORK}/${_name}.patched)
  if(rc EQUAL 0)
    message(FATAL_ERROR "${STALE_TEST} still applied to a copy of ${_path} with an edited context line: a stale patch would go unnoticed")
  endif()
  message("ok: ${STALE_TEST} is refused by a copy of ${_path} whose line '${_line}' was edited")
else()
  message(FATAL_ERROR "apply.cmake: give PATCH_FILE, CHECK_ALL or STALE_TEST")
endif()
