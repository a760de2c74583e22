# Install rules and CPack (.deb) for newsd. Included from the top CMakeLists.txt.
#
#   cmake --build build --target newsd newsd_descriptor_set
#   DESTDIR=/tmp/root cmake --install build     # everything under /tmp/root
#   cpack --config build/CPackConfig.cmake -B build/package   # build/package/newsd_<v>_<arch>.deb
#
# Layout (prefix /usr unless CMAKE_INSTALL_PREFIX is given):
#   /usr/bin/newsd
#   /etc/newsd/newsd.textproto          default config (conffile)
#   /etc/default/newsd                  environment file of the systemd unit (conffile)
#   /lib/systemd/system/newsd.service   systemd unit
#   /lib/systemd/system/newsd@.service  systemd template (one instance per name)
#   /usr/share/newsd/newsd.desc         FileDescriptorSet of proto/ (--include_imports)
#   /usr/share/newsd/proto/newsd/v1/*.proto
#   /usr/share/newsd/prometheus/, /usr/share/newsd/grafana/, /usr/share/newsd/examples/
if(CMAKE_INSTALL_PREFIX_INITIALIZED_TO_DEFAULT)
  set(CMAKE_INSTALL_PREFIX /usr CACHE PATH "Install prefix" FORCE)
endif()
include(GNUInstallDirs)
# `ninja install` / cpack do not rebuild everything (tests, benchmarks): the packaged
# targets are newsd and newsd_descriptor_set; build them (or `all`) first.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY TRUE)

# ---- compiled descriptor set of proto/ ---------------------------------------
file(GLOB NEWSD_PROTO_FILES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/proto/newsd/v1/*.proto)
set(NEWSD_DESCRIPTOR_SET ${PROJECT_BINARY_DIR}/newsd.desc)
add_custom_command(
  OUTPUT ${NEWSD_DESCRIPTOR_SET}
  COMMAND protobuf::protoc --descriptor_set_out=${NEWSD_DESCRIPTOR_SET} --include_imports
          --include_source_info -I ${PROJECT_SOURCE_DIR}/proto ${NEWSD_PROTO_FILES}
  DEPENDS ${NEWSD_PROTO_FILES}
  COMMENT "FileDescriptorSet of proto/ -> newsd.desc"
  VERBATIM)
add_custom_target(newsd_descriptor_set ALL DEPENDS ${NEWSD_DESCRIPTOR_SET})

# ---- install rules ----------------------------------------------------------------
# DESTDIR applies to absolute paths too: `DESTDIR=/tmp/root cmake --install` stays in /tmp/root.
# A system prefix (/usr, /usr/local) puts config and unit in /etc and
# /lib/systemd/system; any other prefix (e.g. /opt/newsd, $HOME/x) keeps them under it.
if(CMAKE_INSTALL_PREFIX MATCHES "^/usr(/local)?/?$")
  set(NEWSD_SYSCONFDIR /etc)
  set(NEWSD_UNITDIR /lib/systemd/system)
else()
  set(NEWSD_SYSCONFDIR ${CMAKE_INSTALL_PREFIX}/etc)
  set(NEWSD_UNITDIR ${CMAKE_INSTALL_PREFIX}/lib/systemd/system)
endif()
set(NEWSD_DATADIR ${CMAKE_INSTALL_DATADIR}/newsd)

install(TARGETS newsd RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/deploy/newsd.textproto DESTINATION ${NEWSD_SYSCONFDIR}/newsd)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/systemd/newsd.env
        DESTINATION ${NEWSD_SYSCONFDIR}/default RENAME newsd)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/systemd/newsd.service
              ${PROJECT_SOURCE_DIR}/deploy/systemd/newsd@.service DESTINATION ${NEWSD_UNITDIR})
install(FILES ${NEWSD_DESCRIPTOR_SET} DESTINATION ${NEWSD_DATADIR})
install(FILES ${NEWSD_PROTO_FILES} DESTINATION ${NEWSD_DATADIR}/proto/newsd/v1)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/deploy/prometheus/ DESTINATION ${NEWSD_DATADIR}/prometheus
        PATTERN "tests" EXCLUDE)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/deploy/grafana/ DESTINATION ${NEWSD_DATADIR}/grafana)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/deploy/examples/ DESTINATION ${NEWSD_DATADIR}/examples)

# ---- CPack: Debian package ----------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME newsd)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "newsd")
set(CPACK_PACKAGE_CONTACT "newsd maintainers <newsd@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Kafka news-ingest daemon: raw wire items to structured Protobuf events")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # newsd_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # Depends: from dpkg-shlibdeps (librdkafka1, ...)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "prometheus, python3-protobuf, python3-confluent-kafka")
# /etc files are conffiles: dpkg keeps local edits on upgrade.
file(WRITE ${PROJECT_BINARY_DIR}/cpack/conffiles "/etc/newsd/newsd.textproto\n/etc/default/newsd\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PROJECT_BINARY_DIR}/cpack/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
include(CPack)
