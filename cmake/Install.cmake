# What `cmake --install` puts where, and the Debian package `cpack -G DEB` makes of it
# (packaging/README.md). Paths follow GNUInstallDirs; --prefix /usr gives the layout the
# systemd unit expects (/usr/bin/supd). The config, /etc/supd/supd.yaml, is the admin's:
# the examples go to the documentation.
include(GNUInstallDirs)

install(TARGETS supd supctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR} FILES_MATCHING PATTERN "*.md")
install(FILES config/README.md config/example.yaml config/worker.py
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
  # The unit goes where systemd looks for packaged units: /usr/lib/systemd/system with
  # --prefix /usr (and in the package), <prefix>/lib/systemd/system otherwise.
  install(FILES systemd/supd.service DESTINATION lib/systemd/system)
endif()

set(CPACK_PACKAGE_NAME supd)
set(CPACK_PACKAGE_VENDOR "supd")
set(CPACK_PACKAGE_CONTACT "supd maintainers <supd@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "process supervisor: starts, watches and restarts services")
set(CPACK_PACKAGE_INSTALL_DIRECTORY supd)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
# The shared libraries supd links (libyaml-cpp, libspdlog, libfmt, libstdc++) as dpkg-shlibdeps
# finds them, when it is installed (dpkg-dev); none are needed otherwise.
find_program(SUPD_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(SUPD_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
endif()
include(CPack)
