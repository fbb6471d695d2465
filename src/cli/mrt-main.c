/* mrt-main.c: the mrt command. */
#include <mrt.h>

int
main (int argc, char **argv)
{
  return 0;
}
