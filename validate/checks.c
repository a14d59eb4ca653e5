/* checks.c - the table of semantic checks: one row per behaviour, in the
 * order they are reported. The TAP plan is this table's size (after
 * --filter), never a hand count. */
#include "checks.h"

#define CHECK(name_, fn_) { name_, fb_check_##fn_ }

const struct fb_check fb_checks[] = {
	/* fork returns twice: 0 in the child, the child's pid in the parent;
	 * the child's getppid() is the parent's pid */
	CHECK("fork/returns_twice", fork_returns_twice),
	/* the lecture's example: the child sleeps, prints and exits 99; the
	 * parent prints, sees WIFEXITED with WEXITSTATUS 99, and all lines arrive */
	CHECK("fork/lecture_example", fork_lecture_example),
	/* inherited fds share the open file description: one offset for both */
	CHECK("fork/shares_file_offset", fork_shares_file_offset),
	/* a handler and SIG_IGN set before fork are the child's too (and run) */
	CHECK("fork/inherits_dispositions", fork_inherits_dispositions),
	/* pending signals are not inherited; the blocked mask is */
	CHECK("fork/drops_pending_signals", fork_drops_pending_signals),
	/* only the calling thread is copied: a 2-thread parent, a 1-thread child */
	CHECK("fork/copies_calling_thread_only", fork_copies_calling_thread_only),
	/* every mapping is the child's too, same range and rwxp/s letters, but
	 * MADV_DONTFORK ones; MADV_WIPEONFORK ones zero-filled; the child's VMA
	 * count is the parent's minus its VM_DONTCOPY (smaps "dc") ones */
	CHECK("fork/keeps_vmas", fork_keeps_vmas),
	/* COW isolation, child side: its writes go to its own copies */
	CHECK("cow/child_write_private", cow_child_write_private),
	/* COW isolation, parent side: writes after fork are unseen by the child */
	CHECK("cow/parent_write_private", cow_parent_write_private),
	/* MADV_DONTFORK: the range is not mapped in the child at all */
	CHECK("cow/madv_dontfork", madv_dontfork),
	/* MADV_WIPEONFORK: zero-filled in the child, intact in the parent */
	CHECK("cow/madv_wipeonfork", madv_wipeonfork),
	/* one COW fault per shared 4 KiB page written, counted as bench/cow.c does */
	CHECK("cow/fault_per_page", cow_fault_per_page),
	/* vfork suspends the parent until the child exits */
	CHECK("vfork/suspends_parent", vfork_suspends_parent),
	/* exec releases the parent too: it resumes while the child, now another
	 * program, still runs */
	CHECK("vfork/resumes_at_exec", vfork_resumes_at_exec),
	/* the vfork child runs in the parent's memory */
	CHECK("vfork/shares_memory", vfork_shares_memory),
	/* CLONE_VM shares memory; without it the child writes its own copy */
	CHECK("clone/vm_shares_memory", clone_vm_shares_memory),
	/* CLONE_FILES shares the fd table; without it fds opened later stay apart */
	CHECK("clone/files_shares_fds", clone_files_shares_fds),
	/* CLONE_SIGHAND shares signal dispositions; without it they are copies */
	CHECK("clone/sighand_shares_dispositions", clone_sighand_shares_dispositions),
	/* CLONE_THREAD: same getpid, its own gettid, listed in /proc/self/task */
	CHECK("clone/thread_same_process", clone_thread_same_process),
	/* exec closes O_CLOEXEC fds */
	CHECK("exec/closes_cloexec_fds", exec_closes_cloexec_fds),
	/* exec keeps other fds open, at the same number */
	CHECK("exec/keeps_other_fds", exec_keeps_other_fds),
	/* exec replaces the image: same pid, new exe and comm, new program's exit */
	CHECK("exec/replaces_image", exec_replaces_image),
	/* an exited child is a zombie (Z) until waitpid; then its /proc entry goes */
	CHECK("life/zombie_until_reaped", zombie_until_reaped),
	/* the parent gets SIGCHLD, naming the child and its exit status */
	CHECK("life/sigchld_on_exit", sigchld_on_exit),
	/* exit -> zombie -> SIGCHLD -> reaped: when SIGCHLD arrives the child
	 * is already Z in /proc; waitpid then reaps it (7) and /proc forgets it */
	CHECK("life/sigchld_after_zombie", sigchld_after_zombie),
	/* an orphan is reparented to the nearest subreaper, which reaps it */
	CHECK("life/reparent_to_subreaper", reparent_to_subreaper),
	/* task states: sleeping S, after SIGSTOP T, after SIGCONT S again */
	CHECK("life/task_states_stop_cont", task_states_stop_cont),
	/* a stopped tracee is in state t (tracing stop), not T */
	CHECK("life/traced_state", traced_state),
	/* clone3 with CLONE_PIDFD gives the parent a close-on-exec pidfd whose
	 * fdinfo names the child */
	CHECK("pidfd/clone3_returns_pidfd", pidfd_clone3_returns_pidfd),
	/* the pidfd polls POLLIN once the child has exited, not while it lives */
	CHECK("pidfd/readable_on_exit", pidfd_readable_on_exit),
	/* waitid(P_PIDFD) reaps it: the child's pid, CLD_EXITED, exit status 42 */
	CHECK("pidfd/waitid_reaps", pidfd_waitid_reaps),
	/* Z before that waitid, no /proc entry after; a second waitid: ECHILD */
	CHECK("pidfd/reaps_once", pidfd_reaps_once),
	/* pidfd_send_signal(SIGKILL) ends a blocked child: CLD_KILLED, SIGKILL */
	CHECK("pidfd/send_signal_kills", pidfd_send_signal_kills),
	/* pidfd_open of a child's pid: a pidfd like clone3's, it reaps; ESRCH after */
	CHECK("pidfd/open_pid", pidfd_open_pid),
	/* PID 2 is kthreadd, child of the idle task (parent 0) */
	CHECK("kernel/kthreadd_is_pid_2", kthreadd_is_pid_2),
	/* every kernel thread (PF_KTHREAD) but kthreadd is kthreadd's child */
	CHECK("kernel/kthreads_parent_kthreadd", kthreads_parent_kthreadd),
	/* kernel threads have no user address space: no VmSize in their status */
	CHECK("kernel/kthreads_no_user_memory", kthreads_no_user_memory),
	/* pid_max lies within [RESERVED_PIDS + 1, PID_MAX_LIMIT] = [301, 4194304] */
	CHECK("kernel/pid_max_in_range", pid_max_in_range),
};

const size_t fb_nchecks = sizeof(fb_checks) / sizeof(fb_checks[0]);

_Static_assert(sizeof(fb_checks) / sizeof(fb_checks[0]) <= FB_MAX_CHECKS,
	       "a run holds at most FB_MAX_CHECKS results");
