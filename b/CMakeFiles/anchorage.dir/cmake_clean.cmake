file(REMOVE_RECURSE
  "CMakeFiles/anchorage.dir/appliance/cmd_ceremony.c.o"
  "CMakeFiles/anchorage.dir/appliance/cmd_ceremony.c.o.d"
  "CMakeFiles/anchorage.dir/appliance/cmd_inventory.c.o"
  "CMakeFiles/anchorage.dir/appliance/cmd_inventory.c.o.d"
  "CMakeFiles/anchorage.dir/appliance/cmd_outbox.c.o"
  "CMakeFiles/anchorage.dir/appliance/cmd_outbox.c.o.d"
  "CMakeFiles/anchorage.dir/appliance/cmd_probe.c.o"
  "CMakeFiles/anchorage.dir/appliance/cmd_probe.c.o.d"
  "CMakeFiles/anchorage.dir/appliance/cmd_status.c.o"
  "CMakeFiles/anchorage.dir/appliance/cmd_status.c.o.d"
  "CMakeFiles/anchorage.dir/appliance/cmd_token.c.o"
  "CMakeFiles/anchorage.dir/appliance/cmd_token.c.o.d"
  "CMakeFiles/anchorage.dir/appliance/cmd_transcript.c.o"
  "CMakeFiles/anchorage.dir/appliance/cmd_transcript.c.o.d"
  "CMakeFiles/anchorage.dir/appliance/main.c.o"
  "CMakeFiles/anchorage.dir/appliance/main.c.o.d"
  "CMakeFiles/anchorage.dir/appliance/output.c.o"
  "CMakeFiles/anchorage.dir/appliance/output.c.o.d"
  "CMakeFiles/anchorage.dir/appliance/probe_print.c.o"
  "CMakeFiles/anchorage.dir/appliance/probe_print.c.o.d"
  "CMakeFiles/anchorage.dir/appliance/prompt.c.o"
  "CMakeFiles/anchorage.dir/appliance/prompt.c.o.d"
  "CMakeFiles/anchorage.dir/appliance/quorum.c.o"
  "CMakeFiles/anchorage.dir/appliance/quorum.c.o.d"
  "anchorage"
  "anchorage.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/anchorage.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
