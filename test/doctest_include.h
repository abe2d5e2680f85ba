// test/doctest_include.h: one include for doctest, whatever layout provides it:
//   Debian (doctest-dev), upstream install   <doctest/doctest.h>
//   WrapDB (doctest wrap)                     <doctest.h>
#ifndef GORO_TEST_DOCTEST_INCLUDE_H_
#define GORO_TEST_DOCTEST_INCLUDE_H_

#if __has_include(<doctest/doctest.h>)
#include <doctest/doctest.h>
#elif __has_include(<doctest.h>)
#include <doctest.h>
#else
#error "goro's tests need doctest (Debian: doctest-dev)"
#endif

#endif  // GORO_TEST_DOCTEST_INCLUDE_H_
