# From `callgrind_annotate --inclusive=yes --tree=calling`: every call made
# by our code (files under `top`) into a library, summed per callee, as
# "IR<tab>CALLS<tab>CALLEE".  It says which library work our code asks
# for, and how often: the evidence for where a fix belongs.
function cost(s) {
	gsub(/,/, "", s)
	return s + 0
}
/^ *[0-9,]+ \([ 0-9.]+%\)  \*  / {
	caller = $0
	sub(/^.*  \*  /, "", caller)
	ours = index(caller, top) == 1
	next
}
/^ *[0-9,]+ \([ 0-9.]+%\)  >   / {
	if (!ours)
		next
	callee = $0
	sub(/^.*  >   /, "", callee)
	if (index(callee, top) == 1)
		next
	n = 1
	if (match(callee, / \([0-9,]+x\)/)) {
		n = cost(substr(callee, RSTART + 2, RLENGTH - 4))
		callee = substr(callee, 1, RSTART - 1) substr(callee, RSTART + RLENGTH)
	}
	sub(/^\?\?\?:/, "", callee)
	sub(/^\.\/[^:]*:/, "", callee)
	ir[callee] += cost($1)
	calls[callee] += n
	next
}
/^$/ { ours = 0 }
END {
	for (c in ir)
		printf "%d\t%d\t%s\n", ir[c], calls[c], c
}
