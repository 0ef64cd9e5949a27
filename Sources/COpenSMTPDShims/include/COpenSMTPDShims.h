#ifndef C_OPENSMTPD_SHIMS_H
#define C_OPENSMTPD_SHIMS_H

#include <stddef.h>
#include <sys/types.h>

/// Sends `len` bytes of `buf` on the stream socket `sock`, with `fd` attached as one
/// SCM_RIGHTS control message when `fd` >= 0. Returns the bytes sent or -1 (errno set).
/// Never raises SIGPIPE.
ssize_t copensmtpd_send(int sock, const void *buf, size_t len, int fd);

/// Receives up to `len` bytes from `sock` into `buf`. Descriptors that arrive with the
/// bytes are stored in `fds` (room for `maxfds`), their count in `*nfds`. `*truncated`
/// is set when the kernel had more control data than room (those descriptors are lost).
/// Returns the bytes read, 0 at end of stream, or -1 (errno set).
ssize_t copensmtpd_recv(int sock, void *buf, size_t len, int *fds, int maxfds,
                        int *nfds, int *truncated);

/// Sets (`on` != 0) or clears O_NONBLOCK on `fd`. Returns 0 or -1 (errno set).
int copensmtpd_set_nonblocking(int fd, int on);

/// Returns 1 when O_NONBLOCK is set on `fd`, 0 when not, -1 on error.
int copensmtpd_is_nonblocking(int fd);

/// Sets FD_CLOEXEC on `fd`. Returns 0 or -1 (errno set).
int copensmtpd_set_cloexec(int fd);

/// Creates an AF_UNIX SOCK_STREAM socketpair with both ends close-on-exec.
int copensmtpd_socketpair(int fds[2]);

/// Creates a pipe with both ends close-on-exec from the start (pipe2 O_CLOEXEC), so that a
/// program another thread starts meanwhile cannot inherit an end.
int copensmtpd_pipe(int fds[2]);

/// Returns 1 when `fd` is a socket, 0 when it is something else (a pipe, a file), -1 on
/// error (errno set).
int copensmtpd_is_socket(int fd);

/// Writes `len` bytes of `buf` to `fd` without ever raising SIGPIPE, and without touching
/// the process's signal dispositions: on a socket (`is_socket` != 0) with
/// send(MSG_NOSIGNAL); on anything else with write(2) while SIGPIPE is blocked in the
/// calling thread, taking back the SIGPIPE the write raised (one that was pending before
/// is left alone) and restoring the thread's mask. A reader that went away shows as -1
/// with errno EPIPE. Returns the bytes written or -1 (errno set).
ssize_t copensmtpd_write_nosigpipe(int fd, const void *buf, size_t len, int is_socket);

/// Like copensmtpd_write_nosigpipe, but never waits, whether `fd` is non-blocking or not:
/// on a socket with send(MSG_DONTWAIT | MSG_NOSIGNAL); on a pipe only when poll(2) says it
/// is writable, and then at most PIPE_BUF bytes (which a writable pipe takes without
/// blocking). Returns the bytes written, or -1 with errno EAGAIN when nothing can be
/// written now (or another errno).
ssize_t copensmtpd_write_nowait(int fd, const void *buf, size_t len, int is_socket);

#endif
