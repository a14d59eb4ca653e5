/* util.h - transitional: the helpers now live in lib/, one header each. */
#ifndef FB_UTIL_H
#define FB_UTIL_H

#include "cli.h"
#include "files.h"
#include "jsonio.h"
#include "proc.h"
#include "text.h"

#endif
