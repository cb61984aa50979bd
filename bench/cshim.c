/* The least a shim can do, as a yardstick for gov's: walk up from the
 * current directory for `.go-version`, read its first line, then exec
 * $GOV_HOME/versions/<version>/bin/<program> (else the same in
 * $GOV_SYSTEM_HOME) with GOROOT set and GOTOOLCHAIN=local unless set. No
 * error handling beyond the essential. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    (void)argc;
    char dir[PATH_MAX], file[PATH_MAX + 16], version[64] = "";
    if (!getcwd(dir, sizeof dir)) return 127;
    for (;;) {
        snprintf(file, sizeof file, "%s/.go-version", dir);
        FILE *f = fopen(file, "r");
        if (f) {
            if (fgets(version, sizeof version, f)) version[strcspn(version, " \r\n")] = 0;
            fclose(f);
            break;
        }
        char *slash = strrchr(dir, '/');
        if (!slash || slash == dir) return 127;
        *slash = 0;
    }
    const char *v = strncmp(version, "go", 2) == 0 ? version + 2 : version;
    const char *home = getenv("GOV_HOME");
    const char *name = strrchr(argv[0], '/');
    name = name ? name + 1 : argv[0];
    char root[PATH_MAX], program[PATH_MAX + 64];
    snprintf(root, sizeof root, "%s/versions/%s", home ? home : ".", v);
    snprintf(program, sizeof program, "%s/bin/%s", root, name);
    const char *system = getenv("GOV_SYSTEM_HOME");
    if (access(program, X_OK) != 0 && system) {
        snprintf(root, sizeof root, "%s/versions/%s", system, v);
        snprintf(program, sizeof program, "%s/bin/%s", root, name);
    }
    setenv("GOROOT", root, 1);
    if (!getenv("GOTOOLCHAIN")) setenv("GOTOOLCHAIN", "local", 1);
    execv(program, argv);
    return 127;
}
