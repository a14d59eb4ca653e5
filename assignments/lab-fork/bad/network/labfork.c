/* labfork.c - known-bad lab-fork submission: instead of measuring, it asks a
 * "figures server" on 127.0.0.1:47613 (loopback only) for the answers and
 * prints them. Expected: build, usage and reaping pass; in the sandbox's own
 * network namespace the connection fails, it exits 1 and the figure tests
 * fail. The test suite listens on that port and checks nobody connected. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	(void)argv;
	if (argc != 2) {
		fprintf(stderr, "usage: labfork SIZE_MIB\n");
		return 2;
	}
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(47613) };
	inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		perror("connect 127.0.0.1:47613");
		return 1;
	}
	char buf[4096];
	ssize_t got;
	while ((got = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)got, stdout);
	close(fd);
	return 0;
}
