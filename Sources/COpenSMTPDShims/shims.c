#define _GNU_SOURCE
#include "COpenSMTPDShims.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

ssize_t
copensmtpd_send(int sock, const void *buf, size_t len, int fd)
{
	struct msghdr msg;
	struct iovec iov;
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} cmsgbuf;

	memset(&msg, 0, sizeof(msg));
	iov.iov_base = (void *)buf;
	iov.iov_len = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;

	if (fd >= 0) {
		struct cmsghdr *cmsg;
		memset(&cmsgbuf, 0, sizeof(cmsgbuf));
		msg.msg_control = cmsgbuf.buf;
		msg.msg_controllen = sizeof(cmsgbuf.buf);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL);
}

ssize_t
copensmtpd_recv(int sock, void *buf, size_t len, int *fds, int maxfds, int *nfds,
    int *truncated)
{
	struct msghdr msg;
	struct iovec iov;
	struct cmsghdr *cmsg;
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int) * 16)];
	} cmsgbuf;
	ssize_t n;

	*nfds = 0;
	*truncated = 0;
	if (maxfds > 16)
		maxfds = 16;

	memset(&msg, 0, sizeof(msg));
	iov.iov_base = buf;
	iov.iov_len = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cmsgbuf.buf;
	msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)maxfds);

	n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	if (n == -1)
		return -1;
	if (msg.msg_flags & MSG_CTRUNC)
		*truncated = 1;

	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg != NULL; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS) {
			size_t count = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			size_t i;
			for (i = 0; i < count; i++) {
				int fd;
				memcpy(&fd, CMSG_DATA(cmsg) + i * sizeof(int), sizeof(int));
				if (*nfds < maxfds)
					fds[(*nfds)++] = fd;
				else {
					close(fd);
					*truncated = 1;
				}
			}
		}
	}
	return n;
}

int
copensmtpd_set_nonblocking(int fd, int on)
{
	int flags = fcntl(fd, F_GETFL);
	if (flags == -1)
		return -1;
	flags = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
	return fcntl(fd, F_SETFL, flags);
}

int
copensmtpd_is_nonblocking(int fd)
{
	int flags = fcntl(fd, F_GETFL);
	if (flags == -1)
		return -1;
	return (flags & O_NONBLOCK) ? 1 : 0;
}

int
copensmtpd_set_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);
	if (flags == -1)
		return -1;
	return fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

int
copensmtpd_socketpair(int fds[2])
{
	return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds);
}

int
copensmtpd_pipe(int fds[2])
{
	return pipe2(fds, O_CLOEXEC);
}

int
copensmtpd_is_socket(int fd)
{
	struct stat st;
	if (fstat(fd, &st) == -1)
		return -1;
	return S_ISSOCK(st.st_mode) ? 1 : 0;
}

ssize_t
copensmtpd_write_nosigpipe(int fd, const void *buf, size_t len, int is_socket)
{
	sigset_t pipe_only, old, pending;
	ssize_t n;
	int saved, was_pending;

	if (is_socket)
		return send(fd, buf, len, MSG_NOSIGNAL);

	/* A pipe has no MSG_NOSIGNAL: hold SIGPIPE in this thread for the write. */
	sigemptyset(&pipe_only);
	sigaddset(&pipe_only, SIGPIPE);
	was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
	if (pthread_sigmask(SIG_BLOCK, &pipe_only, &old) != 0)
		return write(fd, buf, len);
	n = write(fd, buf, len);
	saved = errno;
	if (n == -1 && saved == EPIPE && !was_pending) {
		/* Take the SIGPIPE this write raised, and only that one. */
		struct timespec zero = { 0, 0 };
		while (sigtimedwait(&pipe_only, NULL, &zero) == -1 && errno == EINTR)
			;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = saved;
	return n;
}

ssize_t
copensmtpd_write_nowait(int fd, const void *buf, size_t len, int is_socket)
{
	struct pollfd entry;
	int ready;

	if (is_socket)
		return send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	entry.fd = fd;
	entry.events = POLLOUT;
	entry.revents = 0;
	while ((ready = poll(&entry, 1, 0)) == -1 && errno == EINTR)
		;
	if (ready == -1)
		return -1;
	if (ready == 0 || (entry.revents & (POLLOUT | POLLERR | POLLHUP)) == 0) {
		errno = EAGAIN;
		return -1;
	}
	/* A pipe that polls writable has room for PIPE_BUF bytes (an error shows in write). */
	return copensmtpd_write_nosigpipe(fd, buf, len < PIPE_BUF ? len : PIPE_BUF, 0);
}
