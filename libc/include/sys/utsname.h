// sys/utsname.h: the name and version of the system, as uname(2) reports them.
#pragma once

struct utsname {          // each a NUL-terminated string in 65 bytes, as Linux has it
    char sysname[65];     // "Linux", or ours
    char nodename[65];    // the host name
    char release[65];
    char version[65];
    char machine[65];     // "x86_64"
    char domainname[65];
};

int uname(struct utsname *u);
