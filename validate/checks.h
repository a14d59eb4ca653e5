/* checks.h - the semantic checks, one function per behaviour; the table in
 * checks.c lists them. Each runs in its own forked child (see validate.h). */
#ifndef FB_CHECKS_H
#define FB_CHECKS_H

#include "validate.h"

/* check_fork.c */
int fb_check_fork_returns_twice(struct fb_vmsg *m);
int fb_check_fork_lecture_example(struct fb_vmsg *m);
int fb_check_fork_shares_file_offset(struct fb_vmsg *m);
int fb_check_fork_inherits_dispositions(struct fb_vmsg *m);
int fb_check_fork_drops_pending_signals(struct fb_vmsg *m);
int fb_check_fork_copies_calling_thread_only(struct fb_vmsg *m);
int fb_check_fork_keeps_vmas(struct fb_vmsg *m);
/* check_cow.c */
int fb_check_cow_child_write_private(struct fb_vmsg *m);
int fb_check_cow_parent_write_private(struct fb_vmsg *m);
int fb_check_madv_dontfork(struct fb_vmsg *m);
int fb_check_madv_wipeonfork(struct fb_vmsg *m);
int fb_check_cow_fault_per_page(struct fb_vmsg *m);
/* check_vfork.c */
int fb_check_vfork_suspends_parent(struct fb_vmsg *m);
int fb_check_vfork_resumes_at_exec(struct fb_vmsg *m);
int fb_check_vfork_shares_memory(struct fb_vmsg *m);
/* check_clone.c */
int fb_check_clone_vm_shares_memory(struct fb_vmsg *m);
int fb_check_clone_files_shares_fds(struct fb_vmsg *m);
int fb_check_clone_sighand_shares_dispositions(struct fb_vmsg *m);
int fb_check_clone_thread_same_process(struct fb_vmsg *m);
/* check_exec.c */
int fb_check_exec_closes_cloexec_fds(struct fb_vmsg *m);
int fb_check_exec_keeps_other_fds(struct fb_vmsg *m);
int fb_check_exec_replaces_image(struct fb_vmsg *m);
/* check_life.c */
int fb_check_zombie_until_reaped(struct fb_vmsg *m);
int fb_check_sigchld_on_exit(struct fb_vmsg *m);
int fb_check_sigchld_after_zombie(struct fb_vmsg *m);
int fb_check_reparent_to_subreaper(struct fb_vmsg *m);
int fb_check_task_states_stop_cont(struct fb_vmsg *m);
int fb_check_traced_state(struct fb_vmsg *m);
/* check_pidfd.c */
int fb_check_pidfd_clone3_returns_pidfd(struct fb_vmsg *m);
int fb_check_pidfd_readable_on_exit(struct fb_vmsg *m);
int fb_check_pidfd_waitid_reaps(struct fb_vmsg *m);
int fb_check_pidfd_reaps_once(struct fb_vmsg *m);
int fb_check_pidfd_send_signal_kills(struct fb_vmsg *m);
int fb_check_pidfd_open_pid(struct fb_vmsg *m);
/* check_kernel.c */
int fb_check_kthreadd_is_pid_2(struct fb_vmsg *m);
int fb_check_kthreads_parent_kthreadd(struct fb_vmsg *m);
int fb_check_kthreads_no_user_memory(struct fb_vmsg *m);
int fb_check_pid_max_in_range(struct fb_vmsg *m);

#endif
