# Helpers shared by every folder.

# sioconf_add_layer(<layer> [DEPS <targets>...])
#   One static library per layer from impl/src/<layer>/*.cc, public headers in impl/include,
#   alias sioconf::<layer>. A layer links only the layers it names, so a codec that reaches for
#   a header of a layer above it fails to build. The PRIVATE_DEPS are kept in the property
#   SIOCONF_PRIVATE_DEPS: a planted bug's patched copy of one source compiles with them too
#   (planted/CMakeLists.txt).
function(sioconf_add_layer layer)
  cmake_parse_arguments(ARG "" "" "DEPS;PRIVATE_DEPS" ${ARGN})
  file(GLOB _sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/impl/src/${layer}/*.cc)
  if(NOT _sources)
    message(STATUS "layer ${layer}: no sources yet, skipped")
    return()
  endif()
  add_library(sioconf_${layer} STATIC ${_sources})
  add_library(sioconf::${layer} ALIAS sioconf_${layer})
  target_include_directories(sioconf_${layer} PUBLIC ${PROJECT_SOURCE_DIR}/impl/include
                             PRIVATE ${PROJECT_SOURCE_DIR}/impl/src/core)
  target_link_libraries(sioconf_${layer} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  set_target_properties(sioconf_${layer} PROPERTIES SIOCONF_PRIVATE_DEPS "${ARG_PRIVATE_DEPS}")
endfunction()

# sioconf_add_unit_test(<layer> [DEPS <targets>...])
#   One GoogleTest binary per layer from impl/test/<layer>/*_test.cc, label `unit`.
function(sioconf_add_unit_test layer)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  if(NOT SIOCONF_BUILD_TESTS)
    return()
  endif()
  file(GLOB _tests CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/impl/test/${layer}/*_test.cc)
  if(NOT _tests OR NOT TARGET sioconf_${layer})
    return()
  endif()
  add_executable(${layer}_test ${_tests})
  # impl/src/<layer>: a test may check the layer's private helpers too.
  target_include_directories(${layer}_test PRIVATE ${PROJECT_SOURCE_DIR}/impl/test
                             ${PROJECT_SOURCE_DIR}/impl/src/core ${PROJECT_SOURCE_DIR}/impl/src/${layer})
  target_link_libraries(${layer}_test PRIVATE sioconf::${layer} ${ARG_DEPS} GTest::gtest_main)
  gtest_discover_tests(${layer}_test DISCOVERY_TIMEOUT 60 PROPERTIES LABELS unit TIMEOUT 120)
endfunction()

if(SIOCONF_BUILD_TESTS)
  include(GoogleTest)
endif()
