
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/tmp/fl/wtm/ceremony/artifacts.c" "CMakeFiles/anc_ceremony.dir/ceremony/artifacts.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/artifacts.c.o.d"
  "/tmp/fl/wtm/ceremony/blob.c" "CMakeFiles/anc_ceremony.dir/ceremony/blob.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/blob.c.o.d"
  "/tmp/fl/wtm/ceremony/ceremony.c" "CMakeFiles/anc_ceremony.dir/ceremony/ceremony.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/ceremony.c.o.d"
  "/tmp/fl/wtm/ceremony/closing.c" "CMakeFiles/anc_ceremony.dir/ceremony/closing.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/closing.c.o.d"
  "/tmp/fl/wtm/ceremony/clusters.c" "CMakeFiles/anc_ceremony.dir/ceremony/clusters.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/clusters.c.o.d"
  "/tmp/fl/wtm/ceremony/constraints.c" "CMakeFiles/anc_ceremony.dir/ceremony/constraints.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/constraints.c.o.d"
  "/tmp/fl/wtm/ceremony/crl.c" "CMakeFiles/anc_ceremony.dir/ceremony/crl.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/crl.c.o.d"
  "/tmp/fl/wtm/ceremony/crosscheck.c" "CMakeFiles/anc_ceremony.dir/ceremony/crosscheck.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/crosscheck.c.o.d"
  "/tmp/fl/wtm/ceremony/csr_fast.c" "CMakeFiles/anc_ceremony.dir/ceremony/csr_fast.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/csr_fast.c.o.d"
  "/tmp/fl/wtm/ceremony/duration.c" "CMakeFiles/anc_ceremony.dir/ceremony/duration.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/duration.c.o.d"
  "/tmp/fl/wtm/ceremony/engine.c" "CMakeFiles/anc_ceremony.dir/ceremony/engine.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/engine.c.o.d"
  "/tmp/fl/wtm/ceremony/lint.c" "CMakeFiles/anc_ceremony.dir/ceremony/lint.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/lint.c.o.d"
  "/tmp/fl/wtm/ceremony/names.c" "CMakeFiles/anc_ceremony.dir/ceremony/names.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/names.c.o.d"
  "/tmp/fl/wtm/ceremony/needs.c" "CMakeFiles/anc_ceremony.dir/ceremony/needs.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/needs.c.o.d"
  "/tmp/fl/wtm/ceremony/officers.c" "CMakeFiles/anc_ceremony.dir/ceremony/officers.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/officers.c.o.d"
  "/tmp/fl/wtm/ceremony/parse.c" "CMakeFiles/anc_ceremony.dir/ceremony/parse.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/parse.c.o.d"
  "/tmp/fl/wtm/ceremony/parse_steps.c" "CMakeFiles/anc_ceremony.dir/ceremony/parse_steps.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/parse_steps.c.o.d"
  "/tmp/fl/wtm/ceremony/plan.c" "CMakeFiles/anc_ceremony.dir/ceremony/plan.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/plan.c.o.d"
  "/tmp/fl/wtm/ceremony/plan_json.c" "CMakeFiles/anc_ceremony.dir/ceremony/plan_json.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/plan_json.c.o.d"
  "/tmp/fl/wtm/ceremony/policy.c" "CMakeFiles/anc_ceremony.dir/ceremony/policy.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/policy.c.o.d"
  "/tmp/fl/wtm/ceremony/profile.c" "CMakeFiles/anc_ceremony.dir/ceremony/profile.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/profile.c.o.d"
  "/tmp/fl/wtm/ceremony/records.c" "CMakeFiles/anc_ceremony.dir/ceremony/records.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/records.c.o.d"
  "/tmp/fl/wtm/ceremony/rehearsal.c" "CMakeFiles/anc_ceremony.dir/ceremony/rehearsal.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/rehearsal.c.o.d"
  "/tmp/fl/wtm/ceremony/run.c" "CMakeFiles/anc_ceremony.dir/ceremony/run.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/run.c.o.d"
  "/tmp/fl/wtm/ceremony/run_backup.c" "CMakeFiles/anc_ceremony.dir/ceremony/run_backup.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/run_backup.c.o.d"
  "/tmp/fl/wtm/ceremony/schema_read.c" "CMakeFiles/anc_ceremony.dir/ceremony/schema_read.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/schema_read.c.o.d"
  "/tmp/fl/wtm/ceremony/schema_types.c" "CMakeFiles/anc_ceremony.dir/ceremony/schema_types.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/schema_types.c.o.d"
  "/tmp/fl/wtm/ceremony/schema_yaml.c" "CMakeFiles/anc_ceremony.dir/ceremony/schema_yaml.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/schema_yaml.c.o.d"
  "/tmp/fl/wtm/ceremony/step_backup_keypair.c" "CMakeFiles/anc_ceremony.dir/ceremony/step_backup_keypair.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/step_backup_keypair.c.o.d"
  "/tmp/fl/wtm/ceremony/step_backup_restore.c" "CMakeFiles/anc_ceremony.dir/ceremony/step_backup_restore.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/step_backup_restore.c.o.d"
  "/tmp/fl/wtm/ceremony/step_backup_trust.c" "CMakeFiles/anc_ceremony.dir/ceremony/step_backup_trust.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/step_backup_trust.c.o.d"
  "/tmp/fl/wtm/ceremony/step_backup_verify.c" "CMakeFiles/anc_ceremony.dir/ceremony/step_backup_verify.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/step_backup_verify.c.o.d"
  "/tmp/fl/wtm/ceremony/step_backup_wrap.c" "CMakeFiles/anc_ceremony.dir/ceremony/step_backup_wrap.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/step_backup_wrap.c.o.d"
  "/tmp/fl/wtm/ceremony/step_batch_issue_intermediate.c" "CMakeFiles/anc_ceremony.dir/ceremony/step_batch_issue_intermediate.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/step_batch_issue_intermediate.c.o.d"
  "/tmp/fl/wtm/ceremony/step_batch_sign_csr.c" "CMakeFiles/anc_ceremony.dir/ceremony/step_batch_sign_csr.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/step_batch_sign_csr.c.o.d"
  "/tmp/fl/wtm/ceremony/step_bundle.c" "CMakeFiles/anc_ceremony.dir/ceremony/step_bundle.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/step_bundle.c.o.d"
  "/tmp/fl/wtm/ceremony/step_cross_sign.c" "CMakeFiles/anc_ceremony.dir/ceremony/step_cross_sign.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/step_cross_sign.c.o.d"
  "/tmp/fl/wtm/ceremony/step_export_bundle.c" "CMakeFiles/anc_ceremony.dir/ceremony/step_export_bundle.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/step_export_bundle.c.o.d"
  "/tmp/fl/wtm/ceremony/step_export_issuer.c" "CMakeFiles/anc_ceremony.dir/ceremony/step_export_issuer.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/step_export_issuer.c.o.d"
  "/tmp/fl/wtm/ceremony/step_export_secret.c" "CMakeFiles/anc_ceremony.dir/ceremony/step_export_secret.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/step_export_secret.c.o.d"
  "/tmp/fl/wtm/ceremony/step_export_vault.c" "CMakeFiles/anc_ceremony.dir/ceremony/step_export_vault.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/step_export_vault.c.o.d"
  "/tmp/fl/wtm/ceremony/step_generate_key.c" "CMakeFiles/anc_ceremony.dir/ceremony/step_generate_key.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/step_generate_key.c.o.d"
  "/tmp/fl/wtm/ceremony/step_issue_intermediate.c" "CMakeFiles/anc_ceremony.dir/ceremony/step_issue_intermediate.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/step_issue_intermediate.c.o.d"
  "/tmp/fl/wtm/ceremony/step_self_sign.c" "CMakeFiles/anc_ceremony.dir/ceremony/step_self_sign.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/step_self_sign.c.o.d"
  "/tmp/fl/wtm/ceremony/step_sign_crl.c" "CMakeFiles/anc_ceremony.dir/ceremony/step_sign_crl.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/step_sign_crl.c.o.d"
  "/tmp/fl/wtm/ceremony/step_sign_csr.c" "CMakeFiles/anc_ceremony.dir/ceremony/step_sign_csr.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/step_sign_csr.c.o.d"
  "/tmp/fl/wtm/ceremony/step_split_pin.c" "CMakeFiles/anc_ceremony.dir/ceremony/step_split_pin.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/step_split_pin.c.o.d"
  "/tmp/fl/wtm/ceremony/steps.c" "CMakeFiles/anc_ceremony.dir/ceremony/steps.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/steps.c.o.d"
  "/tmp/fl/wtm/ceremony/steps_backup.c" "CMakeFiles/anc_ceremony.dir/ceremony/steps_backup.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/steps_backup.c.o.d"
  "/tmp/fl/wtm/ceremony/steps_batch.c" "CMakeFiles/anc_ceremony.dir/ceremony/steps_batch.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/steps_batch.c.o.d"
  "/tmp/fl/wtm/ceremony/steps_common.c" "CMakeFiles/anc_ceremony.dir/ceremony/steps_common.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/steps_common.c.o.d"
  "/tmp/fl/wtm/ceremony/validate.c" "CMakeFiles/anc_ceremony.dir/ceremony/validate.c.o" "gcc" "CMakeFiles/anc_ceremony.dir/ceremony/validate.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/tmp/fl/wtm/b/CMakeFiles/anc_transcript.dir/DependInfo.cmake"
  "/tmp/fl/wtm/b/CMakeFiles/anc_rotation.dir/DependInfo.cmake"
  "/tmp/fl/wtm/b/CMakeFiles/anc_pkcs11.dir/DependInfo.cmake"
  "/tmp/fl/wtm/b/CMakeFiles/anc_export.dir/DependInfo.cmake"
  "/tmp/fl/wtm/b/CMakeFiles/anc_common.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
