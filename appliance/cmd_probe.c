/*
 * anchorage: `token probe TOKEN [--script FILE]...`, run on the
 * ceremony's own token days before the ceremony.  It reads what the token
 * says it can do, logs in once, tries a throwaway session key pair of each
 * algorithm the scripts need (all four without a script), and says for
 * each script whether this token, and the backup-token the script names,
 * can run it.  Nothing persistent is created in either token.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appliance.h"
#include "probe.h"

static const enum anc_keyalg all_algs[PROBE_ALGS] = { ANC_KEY_EC_P256,
    ANC_KEY_EC_P384, ANC_KEY_RSA_3072, ANC_KEY_RSA_4096 };

struct probe_args {
	struct pin_source ps;
	const char *scripts[PROBE_SCRIPTS_MAX];
	size_t nscripts;
	int help;
};

static int
parse(const struct command *cmd, int argc, char **argv, struct probe_args *pa)
{
	static const struct option opts[] = {
		{ "script", required_argument, NULL, 's' },
		{ "pin-source", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	/* 0: glibc re-initialises getopt after main's own pass. */
	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (pa->nscripts == PROBE_SCRIPTS_MAX)
				return app_usage(cmd, "at most %d --script",
				    PROBE_SCRIPTS_MAX);
			pa->scripts[pa->nscripts++] = optarg;
			break;
		case 'p':
			if (app_pin_source_parse(optarg, &pa->ps) != 0)
				return app_usage(cmd, "--pin-source %s: expected "
				    "file:PATH", optarg);
			break;
		case 'h':
			pa->help = 1;
			return 0;
		default:
			return app_usage(cmd, "unknown option");
		}
	}
	if (optind + 1 != argc)
		return app_usage(cmd, "expected one TOKEN URI");
	return 0;
}

/* Every script parsed, validated and turned into needs before the token
 * is touched: a bad script is a usage problem (exit 2). */
static int
load_scripts(const struct app *a, const struct probe_args *pa,
    struct probe *p)
{
	struct probe_script *ps;
	struct anc_err err;
	size_t i;

	for (i = 0; i < pa->nscripts; i++) {
		ps = &p->scripts[p->nscripts++];
		ps->file = pa->scripts[i];
		if (anc_ceremony_load(ps->file, &ps->c, &err) != ANC_OK ||
		    anc_ceremony_needs(ps->c, &ps->needs, &ps->nneeds,
		    &err) != ANC_OK)
			return app_fail(a, &err);
		if ((ps->res = calloc(ps->nneeds + 1, sizeof(*ps->res))) ==
		    NULL) {
			anc_err_set(&err, ANC_E_NOMEM, "probe");
			return app_fail(a, &err);
		}
	}
	return 0;
}

static int
uses_alg(const struct probe *p, enum anc_keyalg alg)
{
	size_t i, j;

	if (p->nscripts == 0)
		return 1;
	for (i = 0; i < p->nscripts; i++)
		for (j = 0; j < p->scripts[i].nneeds; j++)
			if (p->scripts[i].needs[j].alg == alg &&
			    !p->scripts[i].needs[j].backup &&
			    (p->scripts[i].needs[j].op == ANC_NEED_KEYGEN ||
			    p->scripts[i].needs[j].op == ANC_NEED_SIGN))
				return 1;
	return 0;
}

const struct anc_trial *
probe_find_trial(const struct probe *p, enum anc_keyalg alg)
{
	size_t i;

	for (i = 0; i < p->ntrials; i++)
		if (p->trials[i].alg == alg)
			return &p->trials[i];
	return NULL;
}

/* The trials, one algorithm at a time; progress shows on the terminal,
 * since RSA-4096 takes minutes on some tokens. */
static void
run_trials(struct app *a, struct anc_token *t, struct probe *p)
{
	char line[128];
	struct anc_err err;
	size_t i;

	for (i = 0; i < PROBE_ALGS; i++) {
		if (!uses_alg(p, all_algs[i]))
			continue;
		snprintf(line, sizeof(line), "probe: trial %s key pair (session "
		    "objects, destroyed afterwards)",
		    anc_keyalg_name(all_algs[i]));
		app_progress(a, line);
		if (anc_token_trial(t, all_algs[i], &p->trials[p->ntrials],
		    &err) != ANC_OK)
			snprintf(p->trial_err[p->ntrials],
			    sizeof(p->trial_err[0]), "%s", err.msg);
		p->ntrials++;
	}
}

/* Can this token run the script?  The capability list first, then what
 * the trials showed. */
static void
verdict(struct probe *p, struct probe_script *ps)
{
	const struct anc_trial *tr;
	size_t i;

	ps->can_run = ps->backup_err[0] == '\0';
	for (i = 0; i < ps->nneeds; i++) {
		if (ps->needs[i].backup && ps->bcaps == NULL) {
			ps->res[i].status = ANC_NEED_UNCHECKED;
			ps->res[i].mech = ANC_MECH_END;
			snprintf(ps->res[i].detail, sizeof(ps->res[i].detail),
			    "the backup token could not be read");
			continue;
		}
		anc_need_check(&ps->needs[i], ps->needs[i].backup ? ps->bcaps :
		    p->caps, &ps->res[i]);
		if (ps->res[i].status == ANC_NEED_MISSING)
			ps->can_run = 0;
	}
	/* The trials and the random draw were made on the probed token. */
	for (i = 0; ps->can_run && i < ps->nneeds; i++) {
		if (ps->needs[i].backup)
			continue;
		if (ps->needs[i].op == ANC_NEED_RANDOM && !p->random_ok) {
			ps->can_run = 0;
			snprintf(ps->trial_why, sizeof(ps->trial_why), "step %d "
			    "(%s) needs random bytes from the token: %s",
			    ps->needs[i].step, ps->needs[i].kind, p->random_err);
		}
		if (ps->needs[i].op != ANC_NEED_KEYGEN &&
		    ps->needs[i].op != ANC_NEED_SIGN)
			continue;
		if (ps->needs[i].alg == ANC_KEY_NONE)
			continue;
		tr = probe_find_trial(p, ps->needs[i].alg);
		/*
		 * tpm2-pkcs11 keeps token objects only and refuses CKA_TOKEN
		 * false outright.  The trial proves nothing either way there:
		 * the verdict rests on the mechanism list, and says so.
		 */
		if (tr != NULL && tr->session_refused) {
			snprintf(ps->trial_why, sizeof(ps->trial_why), "step %d "
			    "(%s): unchecked by trial: the module refuses "
			    "session key pairs (CKR_ATTRIBUTE_VALUE_INVALID); "
			    "the verdict rests on its mechanism list",
			    ps->needs[i].step, ps->needs[i].kind);
			continue;
		}
		if (!probe_trial_ok(tr)) {
			ps->can_run = 0;
			snprintf(ps->trial_why, sizeof(ps->trial_why), "step %d "
			    "(%s) needs %s, and the trial %s key pair failed "
			    "(see trials)", ps->needs[i].step, ps->needs[i].kind,
			    anc_keyalg_name(ps->needs[i].alg),
			    anc_keyalg_name(ps->needs[i].alg));
		}
	}
}

/*
 * Each script's backup-token, from the same module: its capabilities are
 * read without a login (its PIN is not asked for) and the session closed
 * again.  One that cannot be opened is noted, not fatal: the probed
 * token's answer still stands, and the script is judged not runnable.
 */
static void
read_backup_tokens(struct anc_module *m, struct probe *p)
{
	struct probe_script *ps;
	struct anc_token *b;
	struct anc_err err;
	size_t i;

	for (i = 0; i < p->nscripts; i++) {
		ps = &p->scripts[i];
		if ((ps->backup_uri = anc_ceremony_backup_token_uri(ps->c)) ==
		    NULL)
			continue;
		b = NULL;
		if (anc_token_open(m, ps->backup_uri, &b, &err) != ANC_OK ||
		    anc_token_caps_read(b, &ps->bcaps, &err) != ANC_OK)
			snprintf(ps->backup_err, sizeof(ps->backup_err), "%s",
			    err.msg);
		anc_token_free(b);
	}
}

static int
gather(struct app *a, struct probe_args *pa, struct probe *p,
    struct anc_module **m, struct anc_token **t, struct anc_err *err)
{
	unsigned char rnd[16];
	struct anc_err rerr;
	int r;

	struct anc_quorum q;
	anc_pin_fn pin = app_pin;
	void *pin_arg = &pa->ps;
	size_t i;

	/* A token activated by a quorum is probed with the officers' shares,
	 * as the first script with a quorum asks for them, unless a PIN
	 * source is given. */
	for (i = 0; pa->ps.file == NULL && i < p->nscripts; i++)
		if (anc_ceremony_quorum(p->scripts[i].c, &q)) {
			pin = app_quorum_pin;
			pin_arg = &q;
			break;
		}
	if ((r = anc_module_load_args(a->module, a->module_args, m, err)) !=
	    ANC_OK ||
	    (r = anc_token_open(*m, p->uri, t, err)) != ANC_OK ||
	    (r = anc_token_caps_read(*t, &p->caps, err)) != ANC_OK)
		return r;
	read_backup_tokens(*m, p);
	if ((r = anc_token_login(*t, pin, pin_arg, err)) != ANC_OK)
		return r;
	p->random_ok = anc_token_random(*t, rnd, sizeof(rnd), &rerr) ==
	    ANC_OK;
	if (!p->random_ok)
		snprintf(p->random_err, sizeof(p->random_err), "%s", rerr.msg);
	run_trials(a, *t, p);
	return ANC_OK;
}

int
cmd_token_probe(struct app *a, const struct command *cmd, int argc,
    char **argv)
{
	struct probe_args pa;
	struct probe *p = NULL;
	struct anc_module *m = NULL;
	struct anc_token *t = NULL;
	struct anc_err err;
	size_t i;
	int rc;

	memset(&pa, 0, sizeof(pa));
	if ((rc = parse(cmd, argc, argv, &pa)) != 0 || pa.help)
		return pa.help ? app_help(cmd) : rc;
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		anc_err_set(&err, ANC_E_NOMEM, "probe");
		return app_fail(a, &err);
	}
	p->module = a->module;
	p->uri = argv[optind];
	if ((rc = load_scripts(a, &pa, p)) != 0)
		goto out;
	if (gather(a, &pa, p, &m, &t, &err) != ANC_OK) {
		rc = app_fail(a, &err);
		goto out;
	}
	rc = 0;
	for (i = 0; i < p->nscripts; i++) {
		verdict(p, &p->scripts[i]);
		if (!p->scripts[i].can_run)
			rc = anc_exit_status(ANC_E_TOKEN_LACKS);
	}
	if (a->json)
		probe_print_json(p);
	else
		probe_print_text(p);
 out:
	for (i = 0; i < p->nscripts; i++) {
		anc_ceremony_free(p->scripts[i].c);
		free(p->scripts[i].needs);
		free(p->scripts[i].res);
		anc_token_caps_free(p->scripts[i].bcaps);
	}
	anc_token_caps_free(p->caps);
	free(p);
	/* Token before module: libp11 must not outlive its sessions. */
	anc_token_free(t);
	anc_module_free(m);
	return rc;
}
