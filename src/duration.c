#include "duration.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char DURATION_FORMS[] =
    "expected a duration such as 250ms, 1.5s, 2m or 0 (units: us, ms, s, m, h)";

int duration_parse(const char *s, size_t len, int64_t *out_ns, const char **why) {
    size_t i = 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    while (len > i && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (i < len && s[i] == '-') {
        *why = "durations cannot be negative";
        return -1;
    }
    uint64_t whole = 0, frac = 0, frac_scale = 1;
    bool any_digit = false;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
        any_digit = true;
        if (whole > UINT64_C(10000000000)) {
            *why = "duration is too large";
            return -1;
        }
        whole = whole * 10 + (uint64_t)(s[i] - '0');
    }
    if (i < len && s[i] == '.') {
        i++;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
            any_digit = true;
            if (frac_scale < UINT64_C(1000000000000)) {
                frac = frac * 10 + (uint64_t)(s[i] - '0');
                frac_scale *= 10;
            }
        }
    }
    if (!any_digit) {
        *why = DURATION_FORMS;
        return -1;
    }
    const char *unit = s + i;
    size_t ulen = len - i;
    uint64_t mult;
    if (ulen == 0) {
        if (whole == 0 && frac == 0) {
            *out_ns = 0;
            return 0;
        }
        *why = "a duration needs a unit, e.g. 250ms or 1.5s (units: us, ms, s, m, h)";
        return -1;
    } else if (ulen == 2 && memcmp(unit, "ns", 2) == 0) {
        mult = 1;
    } else if (ulen == 2 && memcmp(unit, "us", 2) == 0) {
        mult = 1000;
    } else if (ulen == 2 && memcmp(unit, "ms", 2) == 0) {
        mult = 1000000;
    } else if (ulen == 1 && unit[0] == 's') {
        mult = 1000000000;
    } else if (ulen == 1 && unit[0] == 'm') {
        mult = UINT64_C(60000000000);
    } else if (ulen == 1 && unit[0] == 'h') {
        mult = UINT64_C(3600000000000);
    } else {
        *why = DURATION_FORMS;
        return -1;
    }
    /* Limit: about 100 days, far beyond any scenario, and safe from overflow below. */
    if (whole > UINT64_C(8640000000000000) / mult) {
        *why = "duration is too large";
        return -1;
    }
    uint64_t ns = whole * mult + (frac * mult) / frac_scale;
    *out_ns = (int64_t)ns;
    return 0;
}

void duration_format(int64_t ns, char *out, size_t outlen) {
    if (ns < 0) ns = 0;
    if (ns == 0) {
        snprintf(out, outlen, "0");
    } else if (ns < NS_PER_MS) {
        snprintf(out, outlen, "%lldus", (long long)(ns / 1000));
    } else if (ns < NS_PER_S) {
        long long tenths = (long long)((ns + 50000) / 100000); /* 0.1 ms resolution */
        if (tenths % 10)
            snprintf(out, outlen, "%lld.%lldms", tenths / 10, tenths % 10);
        else
            snprintf(out, outlen, "%lldms", tenths / 10);
    } else {
        long long ms = (long long)((ns + 500000) / NS_PER_MS);
        if (ms % 1000)
            snprintf(out, outlen, "%lld.%03llds", ms / 1000, ms % 1000);
        else
            snprintf(out, outlen, "%llds", ms / 1000);
        /* trim trailing zeros of the fraction: 1.500s -> 1.5s */
        char *dot = strchr(out, '.');
        if (dot) {
            char *s = strchr(out, 's');
            char *e = s - 1;
            while (e > dot && *e == '0')
                e--;
            if (e == dot) e--;
            e[1] = 's';
            e[2] = '\0';
        }
    }
}
