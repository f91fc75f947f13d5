/* version — the raiz release every program reports (set by the Makefile) */
#ifndef RAIZ_VERSION_H
#define RAIZ_VERSION_H
#ifndef RAIZ_VERSION
#define RAIZ_VERSION "0.1.0"
#endif
#endif
