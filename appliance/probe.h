/*
 * anchorage: `token probe`, shared between its two files (cmd_probe.c
 * gathers, probe_print.c judges each trial and prints text or JSON).
 */
#ifndef ANCHORAGE_APPLIANCE_PROBE_H
#define ANCHORAGE_APPLIANCE_PROBE_H

#include "anchorage/ceremony.h"
#include "anchorage/token.h"

#define PROBE_SCRIPTS_MAX 16
#define PROBE_ALGS 4

/* One --script, with its needs and the verdict for this token. */
struct probe_script {
	const char *file;
	struct anc_ceremony *c;
	struct anc_need *needs;
	struct anc_need_result *res;
	size_t nneeds;
	/* The script's backup-token, read without a login: its capabilities,
	 * or why they could not be read.  NULL and "" without one. */
	const char *backup_uri;
	struct anc_token_caps *bcaps;
	char backup_err[256];
	int can_run;
	/* Why not, when only a trial (not the capability list) says so. */
	char trial_why[256];
};

struct probe {
	const char *module;
	const char *uri;
	struct anc_token_caps *caps;
	int random_ok;
	char random_err[256];
	struct anc_trial trials[PROBE_ALGS];
	char trial_err[PROBE_ALGS][256];	/* a trial that could not run */
	size_t ntrials;
	struct probe_script scripts[PROBE_SCRIPTS_MAX];
	size_t nscripts;
};

/* Did the trial of `alg` work: generated, template kept, one signature
 * made and verified, destroyed?  NULL trial: not tried (probe_print.c). */
int probe_trial_ok(const struct anc_trial *t);
const struct anc_trial *probe_find_trial(const struct probe *p,
    enum anc_keyalg alg);

void probe_print_text(const struct probe *p);
void probe_print_json(const struct probe *p);

#endif /* ANCHORAGE_APPLIANCE_PROBE_H */
