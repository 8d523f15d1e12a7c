# Self cost (the first event, Ir) per ELF object in a callgrind output
# file, printed as "IR<tab>OBJECT".  callgrind compresses names: "(n) name"
# defines n, on an ob= or a cob= line, and "(n)" alone reuses it.  The cost
# line after a calls= line is the callee's inclusive cost, already counted
# under the callee, so it is skipped.
function obname(s,    id, rest) {
	if (!match(s, /^\([0-9]+\)/))
		return s
	id = substr(s, RSTART, RLENGTH)
	rest = substr(s, RLENGTH + 1)
	sub(/^ /, "", rest)
	if (rest != "")
		name[id] = rest
	return name[id]
}
/^ob=/ { cur = obname(substr($0, 4)); next }
/^cob=/ { obname(substr($0, 5)); next }
/^calls=/ { skip = 1; next }
/^[0-9+*-]/ {
	if (skip) {
		skip = 0
		next
	}
	if (split($0, f, " ") >= 2)
		self[cur] += f[2]
	next
}
END {
	for (o in self)
		printf "%d\t%s\n", self[o], o == "" ? "(unknown)" : o
}
