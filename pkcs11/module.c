/*
 * anchorage: loading a PKCS#11 module.
 *
 * libp11 loads and initialises the module.  We take a second reference to
 * the same shared object only to reach its C_GetFunctionList, so that raw
 * calls (key generation, attributes, random, login) go to the very module
 * instance libp11 initialised: no second C_Initialize, one C_Finalize.
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "anchorage/err.h"
#include "p11_int.h"

static int
module_function_list(struct anc_module *m, const char *path,
    const char *args, struct anc_err *err)
{
	CK_C_INITIALIZE_ARGS init_args = { NULL, NULL, NULL, NULL,
	    CKF_OS_LOCKING_OK, (CK_VOID_PTR)(uintptr_t)args };
	CK_C_GetFunctionList get;
	CK_INFO info;
	CK_RV rv;

	m->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
	if (m->dl == NULL)
		return anc_err_set(err, ANC_E_MODULE, "module %s: not loaded "
		    "after initialisation: %s", path, dlerror());
	*(void **)&get = dlsym(m->dl, "C_GetFunctionList");
	if (get == NULL)
		return anc_err_set(err, ANC_E_MODULE, "module %s: no "
		    "C_GetFunctionList; expected a PKCS#11 module", path);
	if ((rv = get(&m->fl)) != CKR_OK || m->fl == NULL)
		return anc_err_ckr(err, ANC_E_MODULE, rv,
		    "module %s: C_GetFunctionList failed", path);
	rv = m->fl->C_GetInfo(&info);
	if (rv == CKR_CRYPTOKI_NOT_INITIALIZED) {
		/* A proxy (p11-kit-proxy) hands each C_GetFunctionList
		 * caller an instance of its own.  Both instances reach the
		 * same underlying module, whose login state is per process,
		 * so a login through ours serves libp11's sessions too. */
		if ((rv = m->fl->C_Initialize(&init_args)) != CKR_OK)
			return anc_err_ckr(err, ANC_E_MODULE, rv,
			    "module %s: C_Initialize failed", path);
		m->own_init = 1;
		rv = m->fl->C_GetInfo(&info);
	}
	if (rv != CKR_OK)
		return anc_err_ckr(err, ANC_E_MODULE, rv,
		    "module %s: C_GetInfo failed", path);
	anc_p11_str(m->manufacturer, sizeof(m->manufacturer),
	    info.manufacturerID, sizeof(info.manufacturerID));
	anc_p11_str(m->description, sizeof(m->description),
	    info.libraryDescription, sizeof(info.libraryDescription));
	return ANC_OK;
}

int
anc_module_load(const char *path, struct anc_module **out,
    struct anc_err *err)
{
	return anc_module_load_args(path, NULL, out, err);
}

int
anc_module_load_args(const char *path, const char *args,
    struct anc_module **out, struct anc_err *err)
{
	struct anc_module *m;
	int r = ANC_E_INTERNAL;

	if (path == NULL || path[0] != '/')
		return anc_err_set(err, ANC_E_USAGE, "--module %s: expected "
		    "an absolute path to a PKCS#11 module", path ? path : "");
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "module");
	if ((m->ctx = PKCS11_CTX_new()) == NULL) {
		r = anc_err_set(err, ANC_E_NOMEM, "module context");
		goto out;
	}
	if (args != NULL)
		PKCS11_CTX_init_args(m->ctx, args);
	if (PKCS11_CTX_load(m->ctx, path) != 0) {
		r = anc_err_ossl(err, ANC_E_MODULE, "module %s: cannot load "
		    "or initialise it%s", path, args != NULL ? " with the "
		    "given --module-args" : "; if it needs initialisation "
		    "arguments (NSS softokn: configdir=...), give them with "
		    "--module-args or ANCHORAGE_MODULE_ARGS");
		PKCS11_CTX_free(m->ctx);
		m->ctx = NULL;
		goto out;
	}
	if ((r = module_function_list(m, path, args, err)) != ANC_OK)
		goto out;
	if (PKCS11_enumerate_slots(m->ctx, &m->slots, &m->nslots) != 0) {
		r = anc_err_ossl(err, ANC_E_MODULE, "module %s: cannot list "
		    "slots", path);
		goto out;
	}
	*out = m;
	m = NULL;	/* transferred */
	/* success */
	r = ANC_OK;
 out:
	anc_module_free(m);
	return r;
}

void
anc_module_free(struct anc_module *m)
{
	if (m == NULL)
		return;
	if (m->prov != NULL)
		(void)OSSL_PROVIDER_unload(m->prov);
	if (m->own_init)
		(void)m->fl->C_Finalize(NULL);
	if (m->ctx != NULL) {
		if (m->slots != NULL)
			PKCS11_release_all_slots(m->ctx, m->slots, m->nslots);
		PKCS11_CTX_unload(m->ctx);
		PKCS11_CTX_free(m->ctx);
	}
	if (m->dl != NULL)
		dlclose(m->dl);
	free(m);
}

const char *
anc_module_manufacturer(const struct anc_module *m)
{
	return m->manufacturer;
}

const char *
anc_module_description(const struct anc_module *m)
{
	return m->description;
}

static void
version_str(char *dst, size_t cap, CK_VERSION v)
{
	/* snprintf cannot overflow: two bytes print as at most 7 chars. */
	snprintf(dst, cap, "%u.%u", (unsigned)v.major, (unsigned)v.minor);
}

/* Fill *s from C_GetSlotInfo and, when a token is present, C_GetTokenInfo. */
int
anc_p11_slot_info(struct anc_module *m, CK_SLOT_ID id,
    struct anc_slot_info *s, struct anc_err *err)
{
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	CK_RV rv;

	memset(s, 0, sizeof(*s));
	s->slot_id = id;
	if ((rv = m->fl->C_GetSlotInfo(id, &si)) != CKR_OK)
		return anc_err_ckr(err, ANC_E_PKCS11, rv,
		    "slot %lu: C_GetSlotInfo failed", (unsigned long)id);
	anc_p11_str(s->description, sizeof(s->description),
	    si.slotDescription, sizeof(si.slotDescription));
	s->token_present = (si.flags & CKF_TOKEN_PRESENT) != 0;
	if (!s->token_present)
		return ANC_OK;
	if ((rv = m->fl->C_GetTokenInfo(id, &ti)) != CKR_OK)
		return anc_err_ckr(err, rv == CKR_TOKEN_NOT_PRESENT ||
		    rv == CKR_DEVICE_REMOVED ? ANC_E_NOTOKEN : ANC_E_PKCS11,
		    rv, "slot %lu: C_GetTokenInfo failed", (unsigned long)id);
	anc_p11_str(s->label, sizeof(s->label), ti.label, sizeof(ti.label));
	anc_p11_str(s->manufacturer, sizeof(s->manufacturer),
	    ti.manufacturerID, sizeof(ti.manufacturerID));
	anc_p11_str(s->model, sizeof(s->model), ti.model, sizeof(ti.model));
	anc_p11_str(s->serial, sizeof(s->serial), ti.serialNumber,
	    sizeof(ti.serialNumber));
	version_str(s->hw_version, sizeof(s->hw_version), ti.hardwareVersion);
	version_str(s->fw_version, sizeof(s->fw_version), ti.firmwareVersion);
	s->initialized = (ti.flags & CKF_TOKEN_INITIALIZED) != 0;
	s->login_required = (ti.flags & CKF_LOGIN_REQUIRED) != 0;
	s->has_rng = (ti.flags & CKF_RNG) != 0;
	s->read_only = (ti.flags & CKF_WRITE_PROTECTED) != 0;
	s->pin_count_low = (ti.flags & CKF_USER_PIN_COUNT_LOW) != 0;
	s->pin_final_try = (ti.flags & CKF_USER_PIN_FINAL_TRY) != 0;
	s->pin_locked = (ti.flags & CKF_USER_PIN_LOCKED) != 0;
	s->user_pin_initialized = (ti.flags & CKF_USER_PIN_INITIALIZED) != 0;
	s->protected_path = (ti.flags & CKF_PROTECTED_AUTHENTICATION_PATH) != 0;
	s->flags = ti.flags;
	s->min_pin_len = ti.ulMinPinLen;
	s->max_pin_len = ti.ulMaxPinLen;
	s->max_sessions = ti.ulMaxSessionCount;
	s->max_rw_sessions = ti.ulMaxRwSessionCount;
	return ANC_OK;
}

int
anc_module_slots(struct anc_module *m, struct anc_slot_info **slots,
    size_t *n, struct anc_err *err)
{
	struct anc_slot_info *v;
	unsigned int i;
	int r;

	if ((v = calloc(m->nslots + 1, sizeof(*v))) == NULL)
		return anc_err_set(err, ANC_E_NOMEM, "slot list");
	for (i = 0; i < m->nslots; i++) {
		r = anc_p11_slot_info(m,
		    PKCS11_get_slotid_from_slot(&m->slots[i]), &v[i], err);
		if (r != ANC_OK) {
			free(v);
			return r;
		}
	}
	*slots = v;
	*n = m->nslots;
	return ANC_OK;
}
