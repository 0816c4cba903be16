# Runs at install time (cmake --install): picks the plugin folder that
# Wireshark searches for the user who installs. tshark and Wireshark ignore
# the personal folder when they run as root, so root gets the system one.
# file(INSTALL) prepends $DESTDIR itself.
execute_process(COMMAND id -u OUTPUT_VARIABLE _uid OUTPUT_STRIP_TRAILING_WHITESPACE)
if(TCPPHASE_INSTALL_DIR)
    set(_dest "${TCPPHASE_INSTALL_DIR}")
elseif(_uid STREQUAL "0")
    set(_dest "${TCPPHASE_SYSTEM_DIR}")
else()
    set(_dest "$ENV{HOME}/.local/lib/wireshark/plugins/${TCPPHASE_ABI}/epan")
endif()
message(STATUS "Installing the tcpphase plugin into $ENV{DESTDIR}${_dest}")
file(INSTALL "${TCPPHASE_FILE}" DESTINATION "${_dest}"
     FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# The "tcpphase" configuration profile (columns, colouring rules, filter
# buttons) goes to the installing user's personal profiles folder.
if(DEFINED ENV{XDG_CONFIG_HOME} AND NOT "$ENV{XDG_CONFIG_HOME}" STREQUAL "")
    set(_profiles "$ENV{XDG_CONFIG_HOME}/wireshark/profiles")
else()
    set(_profiles "$ENV{HOME}/.config/wireshark/profiles")
endif()
message(STATUS "Installing the tcpphase profile into $ENV{DESTDIR}${_profiles}/tcpphase")
file(INSTALL "${TCPPHASE_SOURCE_DIR}/profiles/tcpphase" DESTINATION "${_profiles}"
     FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
