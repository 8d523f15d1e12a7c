/*
 * anchorage: the engine's table of artifacts and its progress lines, what
 * the steps call back into.  Kept apart from engine.c, which calls the
 * steps, so that no file of the engine and its steps calls round in a
 * circle.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "steps.h"

void
anc_engine_say(struct anc_engine *e, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (e->ui == NULL || e->ui->progress == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	e->ui->progress(e->ui->progress_arg, line);
}

void
anc_engine_busy(struct anc_engine *e, const char *what)
{
	if (e->ui != NULL && e->ui->busy != NULL)
		e->ui->busy(e->ui->busy_arg, what);
}

struct anc_artifact *
anc_engine_find(struct anc_engine *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->nart; i++)
		if (strcmp(e->arts[i].name, name) == 0)
			return &e->arts[i];
	return NULL;
}

struct anc_artifact *
anc_engine_new_art(struct anc_engine *e, const char *name,
    enum anc_art_kind kind, const struct anc_step *s)
{
	struct anc_artifact *a;

	/* validate.c keeps names unique and within ANC_ARTS_MAX. */
	if (e->nart == ANC_ARTS_MAX || anc_engine_find(e, name) != NULL)
		return NULL;
	a = &e->arts[e->nart++];
	memset(a, 0, sizeof(*a));
	a->name = name;
	a->kind = kind;
	a->step = s;
	return a;
}
