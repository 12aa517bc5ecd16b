// libsystemd for Swift: journald (sd_journal_sendv, never the variadic sd_journal_send) and sd_notify.
#ifndef FEEDWATCH_CSYSTEMD_SHIM_H
#define FEEDWATCH_CSYSTEMD_SHIM_H
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include <systemd/sd-daemon.h>
#endif
